/* The subcommands of the `ofsearch` CLI; each lives in its own cmd_<name>.c and returns the
 * process exit status. Front ends stay thin: parse arguments, call the library, print. */
#ifndef OFS_COMMANDS_H
#define OFS_COMMANDS_H

int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_healthcheck(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_mcp(int argc, char **argv);

/* Default index path when --db is not given: $OFSEARCH_DB, else "ofsearch.db". */
const char *default_db_path(void);

/* Synonyms file used when none is named: $OFSEARCH_SYNONYMS (empty: none), else the default
 * corpus's corpus/synonyms.txt when it exists. */
const char *default_synonyms_path(void);

#endif
