/* purple-msnp tests — a getaddrinfo that knows no name under ".invalid".
 *
 * Loaded with LD_PRELOAD by tests/integration/test-dns.c so a DNS failure can
 * be provoked without a query leaving the machine: every other name goes to
 * the real resolver. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
            struct addrinfo **res)
{
	static gai_fn real;
	size_t n = node ? strlen(node) : 0;

	if (n >= 8 && strcmp(node + n - 8, ".invalid") == 0)
		return EAI_NONAME;
	if (real == NULL)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}
