/* msnp-testserver — one TCP command connection.
 *
 * Reads with a non-blocking GSocket and a socket source, frames with the
 * project's MsnFramer (MSN_FROM_CLIENT), writes through a buffer that drains
 * when the socket is writable.  With a reply delay every write waits that long
 * first; conn_hold() holds every write until a point in time; either way the
 * bytes leave in the order they were sent.  The owner's on_close runs from an
 * idle callback so a handler may close its own connection and return without
 * its session being freed under it.
 *
 * Closing half-closes: the peer reads EOF at once, and whatever it still
 * sends is read and dropped until it closes too (at most LINGER_MS), so the
 * kernel never answers with a reset.  A client then always sees "closed",
 * never "connection reset", whatever it had in flight.
 */
#include "testserver.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

typedef struct {
	gint64 due;            /* monotonic µs */
	GBytes *bytes;
} Delayed;

struct _Conn {
	int refs;
	Server *srv;
	GSocketConnection *sc;
	GSocket *sock;
	MsnFramer *framer;
	char *label;
	char *peer_host;
	guint16 peer_port;
	const ConnHandlers *h;
	gpointer data;

	GSource *in_src, *out_src, *delay_src;
	GByteArray *outbuf;
	GQueue delayed;
	guint delay_ms;
	gint64 hold_until;     /* monotonic µs; 0 = no hold */

	gboolean open;
	gboolean close_pending;   /* close once the buffers are empty */

	GSource *linger_src, *linger_timer;   /* after the half-close */
};

#define LINGER_MS 2000

static void conn_flush(Conn *c);
static void arm_delay(Conn *c);

Conn *
conn_ref(Conn *c)
{
	c->refs++;
	return c;
}

static void
delayed_free(gpointer p)
{
	Delayed *d = p;

	if (d->bytes)
		g_bytes_unref(d->bytes);
	g_free(d);
}

void
conn_unref(Conn *c)
{
	if (--c->refs > 0)
		return;
	g_queue_clear_full(&c->delayed, delayed_free);
	g_byte_array_unref(c->outbuf);
	msn_framer_free(c->framer);
	g_object_unref(c->sc);
	g_free(c->label);
	g_free(c->peer_host);
	g_free(c);
}

static void
drop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

static gboolean
notify_closed(gpointer p)
{
	Conn *c = p;

	server_log(c->srv, c->label, "--", "connection closed");
	if (c->h && c->h->on_close)
		c->h->on_close(c, c->data);
	return G_SOURCE_REMOVE;
}

static gboolean
linger_done(gpointer p)
{
	Conn *c = p;

	drop_source(&c->linger_src);
	drop_source(&c->linger_timer);
	g_io_stream_close(G_IO_STREAM(c->sc), NULL, NULL);
	c->srv->lingering = g_list_remove(c->srv->lingering, c);
	conn_unref(c);
	return G_SOURCE_REMOVE;
}

static gboolean
on_linger_readable(GSocket *sock, GIOCondition cond, gpointer p)
{
	guint8 buf[4096];
	GError *err = NULL;
	gssize n = g_socket_receive(sock, (char *) buf, sizeof buf, NULL, &err);

	if (n > 0 || g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
		g_clear_error(&err);
		return G_SOURCE_CONTINUE;
	}
	g_clear_error(&err);
	linger_done(p);          /* the peer closed too (or the socket broke) */
	return G_SOURCE_CONTINUE; /* the source is already destroyed */
}

void
conn_finish_lingering(Server *srv)
{
	while (srv->lingering)
		linger_done(srv->lingering->data);
}

void
conn_close(Conn *c)
{
	GSource *idle;

	if (!c->open)
		return;
	c->open = FALSE;
	drop_source(&c->in_src);
	drop_source(&c->out_src);
	drop_source(&c->delay_src);
	if (!c->srv->quitting && g_socket_shutdown(c->sock, FALSE, TRUE, NULL)) {
		/* EOF for the peer now; the rest of the close when it has closed. */
		conn_ref(c);
		c->srv->lingering = g_list_prepend(c->srv->lingering, c);
		c->linger_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
		g_source_set_callback(c->linger_src, (GSourceFunc) (void (*)(void)) on_linger_readable,
		                      c, NULL);
		g_source_attach(c->linger_src, NULL);
		c->linger_timer = g_timeout_source_new(LINGER_MS);
		g_source_set_callback(c->linger_timer, linger_done, c, NULL);
		g_source_attach(c->linger_timer, NULL);
	} else {
		g_io_stream_close(G_IO_STREAM(c->sc), NULL, NULL);
	}
	/* The reference taken by conn_new goes with the idle callback. */
	idle = g_idle_source_new();
	g_source_set_callback(idle, notify_closed, c, (GDestroyNotify) conn_unref);
	g_source_attach(idle, NULL);
	g_source_unref(idle);
}

void
conn_close_after_flush(Conn *c)
{
	if (!c->open)
		return;
	c->close_pending = TRUE;
	if (c->outbuf->len == 0 && g_queue_is_empty(&c->delayed))
		conn_close(c);
}

char *
conn_command_to_line(const MsnCommand *cmd)
{
	GString *s = g_string_new(cmd->name);
	guint i;

	if (cmd->has_trid)
		g_string_append_printf(s, " %u", cmd->trid);
	for (i = 0; i < cmd->n_params; i++)
		g_string_append_printf(s, " %s", cmd->params[i]);
	return g_string_free(s, FALSE);
}

/* Logs a payload line by line, "C|" or "S|". */
static void
log_payload(Conn *c, const char *dir, const guint8 *data, gsize len)
{
	char *text, **lines, **l;

	if (!c->srv->log || len == 0)
		return;
	text = g_strndup((const char *) data, len);
	lines = g_strsplit(text, "\n", -1);
	for (l = lines; *l; l++) {
		gsize n = strlen(*l);

		if (n && (*l)[n - 1] == '\r')
			(*l)[n - 1] = '\0';
		if (!l[1] && !**l)
			break;      /* nothing after the last newline */
		server_log(c->srv, c->label, dir, *l);
	}
	g_strfreev(lines);
	g_free(text);
}

static void
drain(Conn *c)
{
	while (c->open) {
		GError *err = NULL;
		MsnCommand *cmd = msn_framer_next(c->framer, &err);

		if (cmd) {
			char *line = conn_command_to_line(cmd);

			server_log(c->srv, c->label, "C:", line);
			g_free(line);
			if (cmd->payload) {
				gsize n;
				const guint8 *d = g_bytes_get_data(cmd->payload, &n);

				log_payload(c, "C|", d, n);
			}
			if (c->h && c->h->on_command)
				c->h->on_command(c, cmd, c->data);
			msn_command_free(cmd);
		} else if (err) {
			gboolean fatal = msn_proto_error_is_fatal(err);

			server_logf(c->srv, c->label, "C! rejected: %s", err->message);
			if (c->h && c->h->on_reject)
				c->h->on_reject(c, err, c->data);
			g_error_free(err);
			if (fatal) {
				conn_close(c);
				return;
			}
		} else {
			return;
		}
	}
}

static gboolean
on_readable(GSocket *sock, GIOCondition cond, gpointer p)
{
	Conn *c = p;
	guint8 buf[4096];
	GError *err = NULL;
	gssize n;

	n = g_socket_receive(sock, (char *) buf, sizeof buf, NULL, &err);
	if (n < 0) {
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
			g_error_free(err);
			return G_SOURCE_CONTINUE;
		}
		server_logf(c->srv, c->label, "-- read error: %s", err->message);
		g_error_free(err);
		conn_close(c);
		return G_SOURCE_CONTINUE;   /* the source is already destroyed */
	}
	if (n == 0) {
		server_log(c->srv, c->label, "--", "client closed the connection");
		conn_close(c);
		return G_SOURCE_CONTINUE;
	}
	conn_ref(c);
	msn_framer_push(c->framer, buf, (gsize) n);
	drain(c);
	conn_unref(c);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_writable(GSocket *sock, GIOCondition cond, gpointer p)
{
	Conn *c = p;

	drop_source(&c->out_src);
	conn_flush(c);
	return G_SOURCE_REMOVE;
}

static void
conn_flush(Conn *c)
{
	while (c->open && c->outbuf->len > 0) {
		GError *err = NULL;
		gssize n = g_socket_send(c->sock, (const char *) c->outbuf->data,
		                         c->outbuf->len, NULL, &err);

		if (n < 0) {
			if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
				g_error_free(err);
				if (!c->out_src) {
					c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
					g_source_set_callback(c->out_src, (GSourceFunc) (void (*)(void)) on_writable,
					                      c, NULL);
					g_source_attach(c->out_src, NULL);
				}
				return;
			}
			server_logf(c->srv, c->label, "-- write error: %s", err->message);
			g_error_free(err);
			conn_close(c);
			return;
		}
		g_byte_array_remove_range(c->outbuf, 0, (guint) n);
	}
	if (c->open && c->close_pending && g_queue_is_empty(&c->delayed))
		conn_close(c);
}

static gboolean
on_delay(gpointer p)
{
	Conn *c = p;
	gint64 now = g_get_monotonic_time();

	drop_source(&c->delay_src);
	while (!g_queue_is_empty(&c->delayed)) {
		Delayed *d = g_queue_peek_head(&c->delayed);
		gsize n;
		const guint8 *data;

		if (d->due > now)
			break;
		g_queue_pop_head(&c->delayed);
		data = g_bytes_get_data(d->bytes, &n);
		g_byte_array_append(c->outbuf, data, (guint) n);
		delayed_free(d);
	}
	conn_flush(c);
	if (c->open)
		arm_delay(c);
	return G_SOURCE_REMOVE;
}

static void
arm_delay(Conn *c)
{
	Delayed *d;
	gint64 wait;

	if (c->delay_src || g_queue_is_empty(&c->delayed))
		return;
	d = g_queue_peek_head(&c->delayed);
	wait = (d->due - g_get_monotonic_time()) / 1000;
	c->delay_src = g_timeout_source_new((guint) MAX(wait, 0));
	g_source_set_callback(c->delay_src, on_delay, c, NULL);
	g_source_attach(c->delay_src, NULL);
}

static void
queue_bytes(Conn *c, const void *data, gsize len)
{
	gint64 now, due;

	if (!c->open)
		return;
	now = g_get_monotonic_time();
	due = now + (gint64) c->delay_ms * 1000;
	if (c->hold_until > due)
		due = c->hold_until;
	if (due > now || !g_queue_is_empty(&c->delayed)) {
		Delayed *d = g_new0(Delayed, 1);
		Delayed *tail = g_queue_peek_tail(&c->delayed);

		/* Never before what is already waiting: the order is the wire's. */
		d->due = tail && tail->due > due ? tail->due : due;
		d->bytes = g_bytes_new(data, len);
		g_queue_push_tail(&c->delayed, d);
		arm_delay(c);
		return;
	}
	g_byte_array_append(c->outbuf, data, (guint) len);
	conn_flush(c);
}

void
conn_send_line(Conn *c, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (!c->open)
		return;
	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	server_log(c->srv, c->label, "S:", line);
	{
		gsize n = strlen(line);
		char *wire = g_malloc(n + 2);

		memcpy(wire, line, n);
		wire[n] = '\r';
		wire[n + 1] = '\n';
		queue_bytes(c, wire, n + 2);
		g_free(wire);
	}
	g_free(line);
}

void
conn_send_payload(Conn *c, const char *head, const void *payload, gsize len)
{
	GString *s;

	if (!c->open)
		return;
	s = g_string_new(head);
	g_string_append_printf(s, " %" G_GSIZE_FORMAT, len);
	server_log(c->srv, c->label, "S:", s->str);
	log_payload(c, "S|", payload, len);
	g_string_append(s, "\r\n");
	g_string_append_len(s, payload, (gssize) len);
	queue_bytes(c, s->str, s->len);
	g_string_free(s, TRUE);
}

void
conn_send_raw(Conn *c, const void *data, gsize len)
{
	if (!c->open)
		return;
	if (c->srv->log) {
		/* Log it as lines; a tail without newline is logged as it is. */
		const char *p = data, *end = p + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (gsize) (end - p));
			const char *stop = nl ? nl : end;
			gsize n = (gsize) (stop - p);
			char *text;

			if (n && p[n - 1] == '\r')
				n--;
			text = g_malloc(MIN(n, 200) + 1);
			for (gsize i = 0; i < MIN(n, 200); i++)   /* binary junk: one log line each */
				text[i] = (guchar) p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
			text[MIN(n, 200)] = '\0';
			if (n > 200 || !nl) {
				char *more = g_strdup_printf("%s%s (%" G_GSIZE_FORMAT " bytes%s)", text,
				                             n > 200 ? "…" : "", n, nl ? "" : ", no newline");

				g_free(text);
				text = more;
			}
			server_log(c->srv, c->label, "S:", text);
			g_free(text);
			p = nl ? nl + 1 : end;
		}
	}
	queue_bytes(c, data, len);
}

void
conn_send_block(Conn *c, const char *data, gsize len)
{
	if (!c->open)
		return;
	if (c->srv->log) {
		const char *p = data, *end = data + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (gsize) (end - p));
			const char *stop = nl ? nl : end;
			int n = (int) (stop - p);

			if (n && p[n - 1] == '\r')
				n--;
			fprintf(c->srv->log, "%s S: %.*s\n", c->label, n, p);
			p = nl ? nl + 1 : end;
		}
		fflush(c->srv->log);
	}
	queue_bytes(c, data, len);
}

void
conn_hold(Conn *c, guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64) ms * 1000;

	if (until > c->hold_until)
		c->hold_until = until;
}

Conn *
conn_new(Server *srv, GSocketConnection *sc, MsnService service, const char *kind,
         guint version, const ConnHandlers *handlers, gpointer data)
{
	Conn *c = g_new0(Conn, 1);
	GSocketAddress *addr;

	c->refs = 1;
	c->srv = srv;
	c->sc = g_object_ref(sc);
	c->sock = g_socket_connection_get_socket(sc);
	g_socket_set_blocking(c->sock, FALSE);
	/* Every reply leaves at once: without this, a relayed MSG written while
	 * the ACK before it is unacknowledged waits for the peer's delayed ACK
	 * (40 ms on Linux), which is the server's latency, not the client's. */
	g_socket_set_option(c->sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	c->framer = msn_framer_new(service, MSN_FROM_CLIENT, version);
	c->label = g_strdup_printf("%s#%u", kind, ++srv->next_conn_id);
	c->h = handlers;
	c->data = data;
	c->outbuf = g_byte_array_new();
	g_queue_init(&c->delayed);
	c->open = TRUE;

	addr = g_socket_connection_get_remote_address(sc, NULL);
	if (addr && G_IS_INET_SOCKET_ADDRESS(addr)) {
		GInetSocketAddress *ia = G_INET_SOCKET_ADDRESS(addr);

		c->peer_host = g_inet_address_to_string(g_inet_socket_address_get_address(ia));
		c->peer_port = g_inet_socket_address_get_port(ia);
	} else {
		c->peer_host = g_strdup("127.0.0.1");
	}
	g_clear_object(&addr);
	server_logf(srv, c->label, "-- connection from %s:%u", c->peer_host, c->peer_port);

	c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
	g_source_set_callback(c->in_src, (GSourceFunc) (void (*)(void)) on_readable, c, NULL);
	g_source_attach(c->in_src, NULL);
	return c;
}

void
conn_set_handlers(Conn *c, const ConnHandlers *handlers, gpointer data)
{
	c->h = handlers;
	c->data = data;
}

void
conn_set_version(Conn *c, guint version)
{
	msn_framer_set_version(c->framer, version);
}

void
conn_set_reply_delay(Conn *c, guint ms)
{
	c->delay_ms = ms;
}

const char *
conn_label(const Conn *c)
{
	return c->label;
}

const char *
conn_peer_host(const Conn *c)
{
	return c->peer_host;
}

guint16
conn_peer_port(const Conn *c)
{
	return c->peer_port;
}

gboolean
conn_is_open(const Conn *c)
{
	return c->open;
}
