/*
 * rule_config.c - CB018 config-mismatch: a setting given in the YAML and in
 * the config file it references (`config:`) with different values.
 *
 * config_apply (config.c) compares the two when it reads the file and
 * records each disagreement in topology.mismatches; this check only turns
 * them into findings, at the setting in the config file (docs/decisions.md), under
 * the `ignore:` of the database or pooler that references the file.
 */
#include "config/config.h"
#include "rules_impl.h"

void check_config_mismatch(struct rule_ctx *ctx)
{
	static const struct strlist none = { 0 };
	const struct topology *t = ctx->t;
	size_t i;

	for (i = 0; i < t->nmismatches; i++) {
		const struct config_mismatch *m = &t->mismatches[i];

		rule_emit(ctx, m->ignore ? m->ignore : &none, m->conf_pos, m->object,
			  "%s is %s in the topology but %s in '%s'%s%s%s", m->setting, m->yaml_value,
			  m->conf_value, pos_file(m->conf_pos), m->detail ? " (" : "",
			  m->detail ? m->detail : "", m->detail ? ")" : "");
	}
}
