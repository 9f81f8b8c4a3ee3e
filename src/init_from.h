/*
 * init_from.h - `connbudget init --from PATH`: a starter topology from
 * manifests (docs/sources.md#starting-from-your-manifests).
 */
#ifndef CONNBUDGET_INIT_FROM_H
#define CONNBUDGET_INIT_FROM_H

#include <stdio.h>

/*
 * Read spec (a directory or file of Kubernetes manifests, a compose file,
 * or KIND=PATH) and write to out, after schema_line, a topology that binds
 * every workload with a readable database url, and the databases and
 * poolers those urls name. outfile (the file out is, "-" for standard
 * output) places the source's path relative to it. Returns 0, or -1 after
 * printing why (nothing is written then).
 */
int init_from_write(FILE *out, const char *spec, const char *outfile, const char *schema_line);

#endif
