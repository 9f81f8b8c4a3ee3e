/*
 * pgpool.c - pgpool.conf as pgpool-II 4.3 reads it (config.h).
 *
 * The grammar is pgpool's src/config/pool_config.l: `key [=] value` (the
 * equals sign is optional, and nothing ties a pair to one line), `#` to
 * the end of the line is a comment, a value is one token: a single-quoted
 * string (kept as written between its quotes: pgpool resolves no escapes,
 * though `\'` does not end it), an integer with optional unit letters
 * (`10s`, `0x1f`), a real, or an unquoted word (letters, digits, `-._:/`).
 * A key must start with a letter or `_`; anything else where a key is due
 * is pgpool's "syntax error in configuration file" (exit 3). `include
 * 'file'` reads another file, relative to the including one.
 *
 * Names are compared case-sensitively, as pgpool's find_option does
 * (strcmp in src/config/pool_config_variables.c). pgpool ignores a name it
 * does not know (set_one_config_option logs "unrecognized configuration
 * parameter" at INFO, which its default log level hides): so does this
 * reader, and apply.c warns about it (config_pgpool_known).
 */
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

/* Every parameter of pgpool-II 4.3 (the names of ConfigBoolOptions,
 * ConfigIntOptions, ... in src/config/pool_config_variables.c, tag
 * V4_3_9_RPM); array: also taken with a numeric index (backend_hostname0) */
static const struct pgpool_key {
	const char *name;
	bool array;
} pgpool_keys[] = {
	{ "allow_clear_text_frontend_auth", false },
	{ "allow_multiple_failover_requests_from_node", false },
	{ "allow_sql_comments", false },
	{ "app_name_redirect_preference_list", false },
	{ "arping_cmd", false },
	{ "arping_path", false },
	{ "authentication_timeout", false },
	{ "auto_failback", false },
	{ "auto_failback_interval", false },
	{ "backend", false },
	{ "backend_application_name", true },
	{ "backend_clustering_mode", false },
	{ "backend_data_directory", true },
	{ "backend_flag", true },
	{ "backend_hostname", true },
	{ "backend_port", true },
	{ "backend_weight", true },
	{ "cache_safe_memqcache_table_list", false },
	{ "cache_unsafe_memqcache_table_list", false },
	{ "check_temp_table", false },
	{ "check_unlogged_table", false },
	{ "child_life_time", false },
	{ "child_max_connections", false },
	{ "clear_memqcache_on_escalation", false },
	{ "client_idle_limit", false },
	{ "client_idle_limit_in_recovery", false },
	{ "client_min_messages", false },
	{ "connect_timeout", true },
	{ "connect_timeout", false },
	{ "connection_cache", false },
	{ "connection_life_time", false },
	{ "database_redirect_preference_list", false },
	{ "delay_threshold", false },
	{ "detach_false_primary", false },
	{ "disable_load_balance_on_write", false },
	{ "dml_adaptive_object_relationship_list", false },
	{ "enable_consensus_with_half_votes", false },
	{ "enable_pool_hba", false },
	{ "enable_shared_relcache", false },
	{ "fail_over_on_backend_error", false },
	{ "failback_command", false },
	{ "failover_command", false },
	{ "failover_if_affected_tuples_mismatch", false },
	{ "failover_on_backend_error", false },
	{ "failover_on_backend_shutdown", false },
	{ "failover_require_consensus", false },
	{ "failover_when_quorum_exists", false },
	{ "follow_primary_command", false },
	{ "health_check", false },
	{ "health_check_database", true },
	{ "health_check_database", false },
	{ "health_check_max_retries", true },
	{ "health_check_max_retries", false },
	{ "health_check_password", true },
	{ "health_check_password", false },
	{ "health_check_period", true },
	{ "health_check_period", false },
	{ "health_check_retry_delay", true },
	{ "health_check_retry_delay", false },
	{ "health_check_test", false },
	{ "health_check_timeout", true },
	{ "health_check_timeout", false },
	{ "health_check_user", true },
	{ "health_check_user", false },
	{ "heartbeat", false },
	{ "heartbeat_device", true },
	{ "heartbeat_hostname", true },
	{ "heartbeat_port", true },
	{ "hostname", true },
	{ "if_cmd_path", false },
	{ "if_down_cmd", false },
	{ "if_up_cmd", false },
	{ "ignore_leading_white_space", false },
	{ "insert_lock", false },
	{ "listen_addresses", false },
	{ "listen_backlog_multiplier", false },
	{ "load_balance_mode", false },
	{ "lobj_lock_table", false },
	{ "log_client_messages", false },
	{ "log_connections", false },
	{ "log_destination", false },
	{ "log_directory", false },
	{ "log_disconnections", false },
	{ "log_error_verbosity", false },
	{ "log_file_mode", false },
	{ "log_filename", false },
	{ "log_hostname", false },
	{ "log_line_prefix", false },
	{ "log_min_messages", false },
	{ "log_per_node_statement", false },
	{ "log_rotation_age", false },
	{ "log_rotation_size", false },
	{ "log_standby_delay", false },
	{ "log_statement", false },
	{ "log_truncate_on_rotation", false },
	{ "logdir", false },
	{ "logging_collector", false },
	{ "max_pool", false },
	{ "memory_cache_enabled", false },
	{ "memqcache_auto_cache_invalidation", false },
	{ "memqcache_cache_block_size", false },
	{ "memqcache_expire", false },
	{ "memqcache_max_num_cache", false },
	{ "memqcache_maxcache", false },
	{ "memqcache_memcached_host", false },
	{ "memqcache_memcached_port", false },
	{ "memqcache_method", false },
	{ "memqcache_oiddir", false },
	{ "memqcache_total_size", false },
	{ "num_init_children", false },
	{ "pcp_listen_addresses", false },
	{ "pcp_port", false },
	{ "pcp_socket_dir", false },
	{ "pgpool_port", true },
	{ "pid_file_name", false },
	{ "ping_path", false },
	{ "pool_passwd", false },
	{ "port", false },
	{ "prefer_lower_delay_standby", false },
	{ "primary_routing_query_pattern_list", false },
	{ "read_only_function_list", false },
	{ "recovery_1st_stage_command", false },
	{ "recovery_2nd_stage_command", false },
	{ "recovery_password", false },
	{ "recovery_timeout", false },
	{ "recovery_user", false },
	{ "relcache_expire", false },
	{ "relcache_query_target", false },
	{ "relcache_size", false },
	{ "replicate_select", false },
	{ "replication_mode", false },
	{ "replication_stop_on_mismatch", false },
	{ "reserved_connections", false },
	{ "reset_query_list", false },
	{ "search_primary_node_timeout", false },
	{ "serialize_accept", false },
	{ "socket_dir", false },
	{ "sr_check_database", false },
	{ "sr_check_password", false },
	{ "sr_check_period", false },
	{ "sr_check_user", false },
	{ "ssl", false },
	{ "ssl_ca_cert", false },
	{ "ssl_ca_cert_dir", false },
	{ "ssl_cert", false },
	{ "ssl_ciphers", false },
	{ "ssl_crl_file", false },
	{ "ssl_dh_params_file", false },
	{ "ssl_ecdh_curve", false },
	{ "ssl_key", false },
	{ "ssl_passphrase_command", false },
	{ "ssl_prefer_server_ciphers", false },
	{ "statement_level_load_balance", false },
	{ "syslog_facility", false },
	{ "syslog_ident", false },
	{ "trusted_servers", false },
	{ "use_watchdog", false },
	{ "watchdog", false },
	{ "wd_authkey", false },
	{ "wd_de_escalation_command", false },
	{ "wd_escalation_command", false },
	{ "wd_heartbeat_deadtime", false },
	{ "wd_heartbeat_keepalive", false },
	{ "wd_interval", false },
	{ "wd_ipc_socket_dir", false },
	{ "wd_life_point", false },
	{ "wd_lifecheck_dbname", false },
	{ "wd_lifecheck_method", false },
	{ "wd_lifecheck_password", false },
	{ "wd_lifecheck_query", false },
	{ "wd_lifecheck_user", false },
	{ "wd_lost_node_removal_timeout", false },
	{ "wd_monitoring_interfaces_list", false },
	{ "wd_no_show_node_removal_timeout", false },
	{ "wd_port", true },
	{ "wd_priority", false },
	{ "wd_remove_shutdown_nodes", false },
	{ "write_function_list", false },
};

bool config_pgpool_known(const char *name)
{
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(pgpool_keys); i++) {
		const struct pgpool_key *k = &pgpool_keys[i];

		if (strcmp(k->name, name) == 0)
			return true;
		n = strlen(k->name);
		if (k->array && strncmp(k->name, name, n) == 0 && name[n] &&
		    strspn(name + n, "0123456789") == strlen(name + n))
			return true;
	}
	return false;
}

enum pp_tok { PP_EOF, PP_EOL, PP_KEY, PP_STRING, PP_WORD, PP_INTEGER, PP_REAL, PP_EQUALS, PP_ERROR };

/* The scanner over one file's bytes. */
struct pp_lex {
	const char *file, *p, *end, *line_start, *tok;
	size_t len;
	uint64_t line;
};

static bool pp_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool pp_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool pp_hex(unsigned char c)
{
	return pp_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of an INTEGER token at p (0 when none): {SIGN}?({DIGIT}+|0x{HEX}+){UNIT_LETTER}* */
static size_t pp_integer(const char *p, const char *end)
{
	const char *s = p, *d;

	if (s < end && (*s == '+' || *s == '-'))
		s++;
	d = s;
	if (end - s > 2 && s[0] == '0' && s[1] == 'x' && pp_hex((unsigned char)s[2])) {
		s += 2;
		while (s < end && pp_hex((unsigned char)*s))
			s++;
	} else {
		while (s < end && pp_digit((unsigned char)*s))
			s++;
		if (s == d)
			return 0;
	}
	while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		s++;
	return (size_t)(s - p);
}

/* Length of a REAL token at p (0 when none): {SIGN}?{DIGIT}*"."{DIGIT}*{EXPONENT}? */
static size_t pp_real(const char *p, const char *end)
{
	const char *s = p, *e;

	if (s < end && (*s == '+' || *s == '-'))
		s++;
	while (s < end && pp_digit((unsigned char)*s))
		s++;
	if (s == end || *s != '.')
		return 0;
	s++;
	while (s < end && pp_digit((unsigned char)*s))
		s++;
	if (s < end && (*s == 'e' || *s == 'E')) {
		e = s + 1;
		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (e < end && pp_digit((unsigned char)*e)) {
			while (e < end && pp_digit((unsigned char)*e))
				e++;
			s = e;
		}
	}
	return (size_t)(s - p);
}

/* The next token, flex-style: the longest match, the first rule on a tie. */
static enum pp_tok pp_next(struct pp_lex *l)
{
	const char *p = l->p;
	size_t in, re, key, word;

	while (p < l->end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < l->end && *p == '#')
		while (p < l->end && *p != '\n')
			p++;
	l->tok = p;
	l->len = 0;
	if (p == l->end) {
		l->p = p;
		return PP_EOF;
	}
	if (*p == '\n') {
		l->p = p + 1;
		l->len = 1;
		return PP_EOL; /* the caller counts the line */
	}
	if (*p == '\'') {
		const char *s = p + 1;

		while (s < l->end && *s != '\'' && *s != '\n') {
			if (*s == '\\' && s + 1 < l->end && s[1] != '\n')
				s++;
			s++;
		}
		if (s < l->end && *s == '\'') {
			l->len = (size_t)(s + 1 - p);
			l->p = s + 1;
			return PP_STRING;
		}
	}
	if (pp_letter((unsigned char)*p)) {
		const char *s = p + 1;

		while (s < l->end && (pp_letter((unsigned char)*s) || pp_digit((unsigned char)*s)))
			s++;
		key = (size_t)(s - p);
		while (s < l->end && (pp_letter((unsigned char)*s) || pp_digit((unsigned char)*s) ||
				      strchr("-._:/", *s)))
			s++;
		word = (size_t)(s - p);
		l->len = word > key ? word : key;
		l->p = p + l->len;
		return word > key ? PP_WORD : PP_KEY;
	}
	in = pp_integer(p, l->end);
	re = pp_real(p, l->end);
	if (in || re) {
		l->len = in >= re ? in : re;
		l->p = p + l->len;
		return in >= re ? PP_INTEGER : PP_REAL;
	}
	if (*p == '=') {
		l->len = 1;
		l->p = p + 1;
		return PP_EQUALS;
	}
	l->len = 1;
	l->p = p + 1;
	return PP_ERROR;
}

static struct pos pp_tok_pos(const struct pp_lex *l)
{
	return pos_make(l->file, l->line, config_column_of(l->line_start, l->tok));
}

/* Step over a token: an end of line starts the next line. */
static enum pp_tok pp_advance(struct pp_lex *l)
{
	enum pp_tok t = pp_next(l);

	if (t == PP_EOL) {
		l->line++;
		l->line_start = l->p;
	}
	return t;
}

struct pp_read {
	struct arena *a;
	struct config_file *out;
	char **err;
};

static int pp_read_file(struct pp_read *r, const char *path, struct pos from, int depth);

/*
 * Parse one file's bytes, as ParseConfigFile does: a key, an optional
 * `=`, then whatever token comes is the value (a newline too, which
 * pgpool then holds as the value "\n"; we keep "" and its position).
 */
static int pp_parse(struct pp_read *r, const char *file, const char *buf, size_t len, int depth)
{
	struct pp_lex l = { file, buf, buf + len, buf, buf, 0, 1 };

	for (;;) {
		enum pp_tok t = pp_advance(&l);
		struct pos kpos, vpos;
		const char *name, *value;

		if (t == PP_EOF)
			return 0;
		if (t == PP_EOL)
			continue;
		if (t != PP_KEY)
			return config_fail_at(r->err, pp_tok_pos(&l), "syntax error in configuration file "
					      "'%s': expected a parameter name", file);
		kpos = pp_tok_pos(&l);
		name = arena_strndup(r->a, l.tok, l.len);
		vpos = kpos;
		t = pp_advance(&l);
		if (t == PP_EQUALS) {
			vpos = pp_tok_pos(&l);
			t = pp_advance(&l);
		}
		if (t == PP_STRING)
			value = arena_strndup(r->a, l.tok + 1, l.len - 2);
		else if (t == PP_EOL || t == PP_EOF)
			value = "";
		else
			value = arena_strndup(r->a, l.tok, l.len);
		if (t != PP_EOL && t != PP_EOF)
			vpos = pp_tok_pos(&l);
		(void)vpos;
		if (strcmp(name, "include") == 0) {
			const char *inc;

			if (!*value)
				return config_fail_at(r->err, kpos, "include: empty file name");
			inc = config_resolve_include(r->a, file, value, kpos, r->err);
			if (!inc || pp_read_file(r, inc, kpos, depth + 1) != 0)
				return -1;
		} else {
			config_add_setting(r->out, "", name, value, NULL, kpos);
		}
		if (t == PP_EOF)
			return 0;
	}
}

/* Read one pgpool.conf (top level or included); from names it. */
static int pp_read_file(struct pp_read *r, const char *path, struct pos from, int depth)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	/* ParseConfigFile: "maximum nesting depth exceeded" beyond 10 */
	if (config_read_nested(path, from, depth, false, &buf, &len, r->err) != 0)
		return -1;
	rc = pp_parse(r, arena_strdup(r->a, path), buf, len, depth);
	free(buf);
	return rc;
}

int config_read_pgpool(struct arena *a, const char *path, struct pos from, struct config_file *out,
		       char **err)
{
	struct pp_read r = { a, out, err };

	return pp_read_file(&r, path, from, 0);
}
