/* Shell completion for the Docker CLI (complete.c). */
#ifndef DBAKE_COMPLETE_H
#define DBAKE_COMPLETE_H

#include "cli.h"

/* What the Docker CLI runs to complete a word: docker-dbake __complete
 * dbake ARGS... WORD. Prints cobra's completion format. */
#define COMPLETE_COMMAND "__complete"

int complete_main(int argc, char **argv);

#endif
