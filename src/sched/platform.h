/* Platform strings ("os/arch[/variant]"): normalising and matching. */
#ifndef DBAKE_PLATFORM_H
#define DBAKE_PLATFORM_H

#include "../util/strbuf.h"

/*
 * Canonical form of a platform as buildx prints or accepts it: trimmed,
 * lowercased, a pinned mark ('*') dropped, default variants removed
 * (arm64/v8, amd64/v1) and the implied one added (arm -> arm/v7).
 * Returns NULL for something that is not os/arch[/variant].
 */
char *platform_normalize(const char *s);

/*
 * Whether a node offering `offer` builds `want` natively: same os and
 * arch, and equal variants when both name one. Both are normalised.
 */
int platform_match(const char *want, const char *offer);

/* Whether any platform of `offers` matches `want`. */
int platform_offered(const char *want, const struct strvec *offers);

#endif
