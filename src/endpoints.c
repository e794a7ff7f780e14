/* purple-msnp — the web-service URLs of an account. */
#include "endpoints.h"

#include <string.h>

#include "msnp.h"

static const struct {
	const char *option;
	const char *path;
} endpoints[] = {
	[MSN_ENDPOINT_NEXUS] = { MSNP_OPT_NEXUS_URL, "/rdr/pprdr.asp" },
	[MSN_ENDPOINT_RST] = { MSNP_OPT_RST_URL, "/RST.srf" },
	[MSN_ENDPOINT_AB] = { MSNP_OPT_AB_URL, "/abservice/abservice.asmx" },
	[MSN_ENDPOINT_SHARING] = { MSNP_OPT_SHARING_URL, "/abservice/SharingService.asmx" },
};

char *
msn_endpoint_derive(const char *server, MsnEndpoint which)
{
	char *host = g_strstrip(g_strdup(server ? server : ""));
	char *url;

	/* An IPv6 literal needs brackets in a URL. */
	if (strchr(host, ':') && host[0] != '[')
		url = g_strdup_printf("https://[%s]%s", host, endpoints[which].path);
	else
		url = g_strdup_printf("https://%s%s", host, endpoints[which].path);
	g_free(host);
	return url;
}

char *
msn_endpoint_url(PurpleAccount *account, MsnEndpoint which)
{
	const char *set = purple_account_get_string(account, endpoints[which].option, "");
	char *value = g_strstrip(g_strdup(set ? set : ""));

	if (*value)
		return value;
	g_free(value);
	return msn_endpoint_derive(purple_account_get_string(account, MSNP_OPT_SERVER,
	                                                     MSNP_DEFAULT_SERVER), which);
}
