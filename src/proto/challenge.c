/* purple-msnp — answers to CHL challenges (protocol/challenges.md §2–§3). */
#include "proto/challenge.h"

#include <string.h>

#define MOD31 G_GUINT64_CONSTANT(0x7FFFFFFF)

void
msn_challenge_md5(const char *chl, const char *key, char out[33])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_MD5);

	g_checksum_update(ck, (const guchar *)chl, (gssize)strlen(chl));
	g_checksum_update(ck, (const guchar *)key, (gssize)strlen(key));
	g_strlcpy(out, g_checksum_get_string(ck), 33);
	g_checksum_free(ck);
}

static guint32
read_le32(const guint8 *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) |
	       ((guint32)p[3] << 24);
}

static void
write_le32(guint8 *p, guint32 v)
{
	p[0] = (guint8)(v & 0xff);
	p[1] = (guint8)((v >> 8) & 0xff);
	p[2] = (guint8)((v >> 16) & 0xff);
	p[3] = (guint8)((v >> 24) & 0xff);
}

void
msn_challenge_msnp11(const char *chl, const char *product_id,
                     const char *product_key, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	guint8 digest[16];
	gsize dlen = sizeof(digest);
	guint32 h[4];
	guint64 k[4];
	guint64 high = 0, low = 0;
	GChecksum *ck;
	GString *s;
	gsize i, pad;

	/* 1–2: MD5(chl || key) as four little-endian words, and their masks. */
	ck = g_checksum_new(G_CHECKSUM_MD5);
	g_checksum_update(ck, (const guchar *)chl, (gssize)strlen(chl));
	g_checksum_update(ck, (const guchar *)product_key,
	                  (gssize)strlen(product_key));
	g_checksum_get_digest(ck, digest, &dlen);
	g_checksum_free(ck);
	for (i = 0; i < 4; i++) {
		h[i] = read_le32(digest + 4 * i);
		k[i] = h[i] & 0x7FFFFFFFu;
	}

	/* 3: chl || id padded with '0' — always 1..8 characters. */
	s = g_string_new(chl);
	g_string_append(s, product_id);
	pad = 8 - (s->len % 8);
	for (i = 0; i < pad; i++)
		g_string_append_c(s, '0');

	/* 4–5: pairs of little-endian words. */
	for (i = 0; i + 8 <= s->len; i += 8) {
		guint64 w0 = read_le32((const guint8 *)s->str + i);
		guint64 w1 = read_le32((const guint8 *)s->str + i + 4);
		guint64 t;

		t = (G_GUINT64_CONSTANT(0x0E79A9C1) * w0) % MOD31;
		t = (k[0] * (t + high) + k[1]) % MOD31;
		high = (k[2] * ((w1 + t) % MOD31) + k[3]) % MOD31;
		low += high + t;
	}
	g_string_free(s, TRUE);

	/* 6 */
	high = (high + k[1]) % MOD31;
	low = (low + k[3]) % MOD31;

	/* 7–8: XOR into the unmasked words, print little-endian. */
	h[0] ^= (guint32)high;
	h[1] ^= (guint32)low;
	h[2] ^= (guint32)high;
	h[3] ^= (guint32)low;
	for (i = 0; i < 4; i++)
		write_le32(digest + 4 * i, h[i]);
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[32] = '\0';
}

gboolean
msn_challenge_answer(const MsnDialect *dialect, const char *chl, char out[33])
{
	out[0] = '\0';
	if (dialect == NULL || chl == NULL)
		return FALSE;
	switch (dialect->challenge) {
	case MSN_CHALLENGE_MD5:
		msn_challenge_md5(chl, dialect->challenge_product_key, out);
		return TRUE;
	case MSN_CHALLENGE_MSNP11:
		msn_challenge_msnp11(chl, dialect->challenge_product_id,
		                     dialect->challenge_product_key, out);
		return TRUE;
	}
	return FALSE;
}
