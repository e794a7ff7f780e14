/* purple-msnp — numeric MSNP errors as sentences a user can act on. */
#include "errors.h"

#include "msnp.h"

typedef struct {
	guint first, last;
	PurpleConnectionError reason;
	const char *text;
} SigninError;

/* errors.md, "Suggested libpurple mapping at login". */
static const SigninError signin_errors[] = {
	{ 500, 500, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
	  N_("The MSN server had an internal error (500). Try again later.") },
	{ 540, 540, PURPLE_CONNECTION_ERROR_OTHER_ERROR,
	  N_("The server rejected this client's challenge answer (540).") },
	{ 600, 699, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
	  N_("The MSN server is busy or unavailable (%u). Try again later.") },
	{ 710, 710, PURPLE_CONNECTION_ERROR_OTHER_ERROR,
	  N_("The server does not accept this client's version (710). Try a lower "
	     "\"Highest protocol version\" in the account settings.") },
	{ 715, 715, PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
	  N_("The server refused to sign this account in (715): the account may not be "
	     "verified yet.") },
	{ 911, 911, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
	  N_("The server did not accept the sign-in: check the e-mail address and password.") },
	{ 917, 917, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
	  N_("The server did not accept the sign-in: check the e-mail address and password.") },
	{ 928, 928, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
	  N_("The server did not accept the sign-in ticket (928). Try again.") },
	{ 920, 920, PURPLE_CONNECTION_ERROR_OTHER_ERROR,
	  N_("The server is not accepting new users (920).") },
	{ 923, 923, PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
	  N_("This is a Kids Passport account without parental consent (923).") },
	{ 924, 924, PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
	  N_("This account has not been verified yet (924): follow the link in the "
	     "verification e-mail, then sign in again.") },
	{ 927, 927, PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
	  N_("This account is suspended (927).") },
	{ 910, 931, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
	  N_("The MSN server is too busy or unavailable (%u). Try again later.") },
};

char *
msn_error_signin_message(guint code, PurpleConnectionError *reason)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(signin_errors); i++) {
		const SigninError *e = &signin_errors[i];
		if (code >= e->first && code <= e->last) {
			*reason = e->reason;
			return g_strdup_printf(_(e->text), code);
		}
	}
	*reason = PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
	return g_strdup_printf(_("The server answered with error %u while signing in."), code);
}
