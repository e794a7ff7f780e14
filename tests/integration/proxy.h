/* purple-msnp tests — a tiny HTTP CONNECT proxy on loopback, run inside the
 * test process on the same main loop, that records where it was asked to go.
 * Only loopback targets are allowed. */
#ifndef MSNP_TEST_PROXY_H
#define MSNP_TEST_PROXY_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MsnpProxy MsnpProxy;

MsnpProxy *msnp_proxy_start(void);
int msnp_proxy_port(MsnpProxy *proxy);
/* "host:port" of every CONNECT so far. */
const GPtrArray *msnp_proxy_targets(MsnpProxy *proxy);
void msnp_proxy_stop(MsnpProxy *proxy);

G_END_DECLS

#endif
