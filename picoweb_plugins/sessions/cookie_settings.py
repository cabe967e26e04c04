"""The flags of the session cookie (and of cookies that must match it, such
as remember-me), turned into Set-Cookie header values."""

from picoweb.cookies import format_set_cookie

SAMESITE_VALUES = ("Lax", "Strict", "None")


class CookieSettings:
    """Cookie name and flags. Defaults: HttpOnly (scripts cannot read it),
    SameSite=Lax (not sent on cross-site POSTs), Path=/, Secure when the
    request came over HTTPS (`secure=None`; True or False forces it)."""

    def __init__(self, name="session", max_age=None, path="/", domain=None, secure=None,
                 httponly=True, samesite="Lax"):
        if samesite is not None and samesite not in SAMESITE_VALUES:
            raise ValueError("samesite must be one of %s or None" % (SAMESITE_VALUES,))
        if samesite == "None" and secure is not True:
            raise ValueError("browsers drop SameSite=None cookies without Secure: "
                             "set secure=True")
        self.name = name
        self.max_age = max_age
        self.path = path
        self.domain = domain
        self.secure = secure
        self.httponly = httponly
        self.samesite = samesite
        self.header("x", "https")  # a bad name, path or domain fails now, not per request

    def with_changes(self, **changes):
        """A copy with some settings changed (same flags, another cookie)."""
        settings = dict(name=self.name, max_age=self.max_age, path=self.path,
                        domain=self.domain, secure=self.secure, httponly=self.httponly,
                        samesite=self.samesite)
        settings.update(changes)
        return CookieSettings(**settings)

    def is_secure(self, scheme):
        return self.secure if self.secure is not None else scheme == "https"

    def header(self, value, scheme):
        """The Set-Cookie value that sets this cookie to `value` for a
        request that came over `scheme` ("http" or "https")."""
        return format_set_cookie(self.name, value, max_age=self.max_age, path=self.path,
                                 domain=self.domain, secure=self.is_secure(scheme),
                                 httponly=self.httponly, samesite=self.samesite)

    def deletion_header(self, scheme):
        """The Set-Cookie value that makes the browser drop this cookie."""
        return format_set_cookie(self.name, "", max_age=0, expires=0, path=self.path,
                                 domain=self.domain, secure=self.is_secure(scheme),
                                 httponly=self.httponly, samesite=self.samesite)
