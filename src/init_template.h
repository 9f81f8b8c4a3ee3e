/*
 * init_template.h - the commented starter topology `connbudget init` writes.
 *
 * A copy lives in testdata/valid/init-template.yaml; tests/check_init.c
 * fails when the two differ, and the schema-agreement and CLI tests check
 * that it loads and passes.
 */
#ifndef CONNBUDGET_INIT_TEMPLATE_H
#define CONNBUDGET_INIT_TEMPLATE_H

/* The template, NUL-terminated, ending in a newline; `init` writes the
 * editor schema line (command.c) above it. */
extern const char init_template[];

#endif
