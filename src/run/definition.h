/* The definition of one child bake (definition.c). */
#ifndef DBAKE_DEFINITION_H
#define DBAKE_DEFINITION_H

#include "dispatch.h"

/*
 * Write the batch's definition; its path (allocated), or NULL (said).
 * *layouts: whether bake reads or writes a layout of the transfer
 * directory (it must then be allowed to).
 */
char *run_write_definition(struct run *run, const struct sched_slot *s,
			   int *layouts);

#endif
