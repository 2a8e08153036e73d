/* --print: the plan dbake would build, as JSON on stdout. */
#include "ui.h"
#include "view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

void ui_print_plan(const struct run_view *view)
{
	json_t *root = json_object();
	json_t *nodes = json_array();
	for (size_t n = 0; n < view->nodes->nr; n++) {
		const struct node *nd = &view->nodes->v[n];
		json_t *plats = json_array(), *native = json_array();
		for (size_t k = 0; k < nd->platforms.nr; k++)
			json_array_append_new(plats, json_string(nd->platforms.v[k]));
		for (size_t k = 0; k < nd->native.nr; k++)
			json_array_append_new(native, json_string(nd->native.v[k]));
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:o, s:o}",
						       "name", nd->name, "endpoint",
						       nd->endpoint, "platforms",
						       plats, "native", native));
	}
	json_t *targets = json_object();
	for (size_t i = 0; i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		json_t *plats = json_array(), *deps = json_array(),
		       *can = json_array();
		for (size_t k = 0; k < j->platforms->nr; k++)
			json_array_append_new(plats, json_string(j->platforms->v[k]));
		for (size_t k = 0; k < j->ndeps; k++)
			json_array_append_new(deps,
					      json_string(view->dag->jobs[j->deps[k]].name));
		for (size_t n = 0; n < view->nodes->nr; n++)
			if (j->fits[n])
				json_array_append_new(can,
						      json_string(view->nodes->v[n].name));
		json_object_set_new(targets, j->name,
				    json_pack("{s:o, s:o, s:o, s:b, s:b}", "platforms",
					      plats, "depends_on", deps, "nodes",
					      can, "requested",
					      view->info[i].target->requested,
					      "emulated", j->emulated));
	}
	json_object_set_new(root, "builder", json_string(view->nodes->builder));
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "targets", targets);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	puts(text);
	free(text);
	json_decref(root);
}

