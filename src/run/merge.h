/* The merge job's local half: a split target's tar and oci outputs put
 * together from its parts (merge.c). */
#ifndef DBAKE_MERGE_H
#define DBAKE_MERGE_H

/* The argument that makes docker-dbake run merge_main: internal. */
#define MERGE_COMMAND "__merge"

/* Carry out the merge SPEC describes; the process's exit code. */
int merge_main(const char *spec_path);

#endif
