#include "platform.h"
#include "../util/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *platform_normalize(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec parts = STRVEC_INIT;
	char *out = NULL;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s && !isspace((unsigned char)*s) && *s != '*'; s++)
		strbuf_addch(&sb, tolower((unsigned char)*s));
	while (isspace((unsigned char)*s) || *s == '*')
		s++;
	if (*s)
		goto done;
	for (size_t i = 0; i < sb.len; i++)
		if (!isalnum((unsigned char)sb.buf[i]) && !strchr("/_-.", sb.buf[i]))
			goto done;
	if (sb.len && (sb.buf[0] == '/' || sb.buf[sb.len - 1] == '/' ||
		       strstr(sb.buf, "//")))
		goto done;
	strvec_split(&parts, sb.buf, '/');
	if (parts.nr < 2 || parts.nr > 3)
		goto done;
	const char *os = parts.v[0], *arch = parts.v[1];
	const char *variant = parts.nr == 3 ? parts.v[2] : "";
	if (!strcmp(arch, "aarch64"))
		arch = "arm64";
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "x86-64"))
		arch = "amd64";
	if (!strcmp(arch, "arm64") && !strcmp(variant, "v8"))
		variant = "";
	if (!strcmp(arch, "amd64") && !strcmp(variant, "v1"))
		variant = "";
	if (!strcmp(arch, "arm") && !*variant)
		variant = "v7";
	out = *variant ? xstrfmt("%s/%s/%s", os, arch, variant)
		       : xstrfmt("%s/%s", os, arch);
done:
	strvec_clear(&parts);
	strbuf_release(&sb);
	return out;
}

/* Split "os/arch[/variant]" into its parts (pointers into buf). */
static void split3(char *buf, char **os, char **arch, char **variant)
{
	*os = buf;
	*arch = strchr(buf, '/');
	*variant = NULL;
	if (*arch) {
		*(*arch)++ = '\0';
		*variant = strchr(*arch, '/');
		if (*variant)
			*(*variant)++ = '\0';
	}
	if (!*arch)
		*arch = buf + strlen(buf);
	if (!*variant)
		*variant = *arch + strlen(*arch);
}

int platform_match(const char *want, const char *offer)
{
	char a[128], b[128];
	char *ao, *aa, *av, *bo, *ba, *bv;
	if (strlen(want) >= sizeof(a) || strlen(offer) >= sizeof(b))
		return 0;
	memcpy(a, want, strlen(want) + 1);
	memcpy(b, offer, strlen(offer) + 1);
	split3(a, &ao, &aa, &av);
	split3(b, &bo, &ba, &bv);
	if (strcmp(ao, bo) || strcmp(aa, ba))
		return 0;
	return !*av || !*bv || !strcmp(av, bv);
}

int platform_offered(const char *want, const struct strvec *offers)
{
	for (size_t i = 0; i < offers->nr; i++)
		if (platform_match(want, offers->v[i]))
			return 1;
	return 0;
}
