/* purple-msnp — the UUX payload. */
#include "psm.h"

#include <string.h>

#include <libxml/tree.h>

GBytes *
msn_psm_build(const char *psm, const char *media, const char *machine_guid)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "Data");
	xmlBufferPtr buf = xmlBufferCreate();
	char *cut = NULL;
	GBytes *out;

	if (psm && g_utf8_validate(psm, -1, NULL) && g_utf8_strlen(psm, -1) > MSN_PSM_MAX_CHARS)
		psm = cut = g_utf8_substring(psm, 0, MSN_PSM_MAX_CHARS);
	else if (psm && !g_utf8_validate(psm, -1, NULL))
		psm = cut = g_utf8_make_valid(psm, -1);
	xmlDocSetRootElement(doc, root);
	/* xmlNewTextChild escapes &, < and >. */
	xmlNewTextChild(root, NULL, BAD_CAST "PSM", BAD_CAST (psm ? psm : ""));
	xmlNewTextChild(root, NULL, BAD_CAST "CurrentMedia", BAD_CAST (media ? media : ""));
	if (machine_guid)
		xmlNewTextChild(root, NULL, BAD_CAST "MachineGuid", BAD_CAST machine_guid);
	xmlNodeDump(buf, doc, root, 0, 0);
	out = g_bytes_new(xmlBufferContent(buf), (gsize)xmlBufferLength(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	g_free(cut);
	return out;
}
