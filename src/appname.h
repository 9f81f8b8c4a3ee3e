/*
 * appname.h - an application_name as PostgreSQL stores it.
 *
 * The server does not keep a client's application_name as sent. Its GUC
 * check hook (check_application_name, utils/misc/guc_tables.c) passes the
 * value through pg_clean_ascii, which replaces every byte outside printable
 * ASCII (32-126): with '?' up to PostgreSQL 15, with a "\xNN" escape from
 * 16 on. pg_stat_activity then holds at most NAMEDATALEN - 1 = 63 bytes of
 * the result (pgstat_report_appname, clipped with pg_mbcliplen: the result
 * is ASCII, so the clip falls on a byte). observe compares the names the
 * topology declares after this transformation, and CB023 warns when it
 * would change a declared name.
 */
#ifndef CONNBUDGET_APPNAME_H
#define CONNBUDGET_APPNAME_H

#include <stdbool.h>

enum {
	/* NAMEDATALEN - 1 (pg_config_manual.h) */
	APPNAME_MAX_BYTES = 63,
	/* PQserverVersion of the first release that escapes instead of '?' */
	APPNAME_ESCAPE_VERSION = 160000,
};

/*
 * The name PostgreSQL of server_version_num (PQserverVersion: 150008 for
 * 15.8) would store for name. Returns a new string (caller frees).
 */
char *appname_stored(const char *name, int server_version_num);

/* Whether any server version would store name other than as written. */
bool appname_altered(const char *name);

#endif
