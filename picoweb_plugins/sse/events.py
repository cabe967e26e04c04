"""One Server-Sent Event as text (the HTML standard's event stream format).

Every line of `data` becomes its own `data:` field, so any text round-trips
to `event.data`; `event` and `id` must be one line (a CR or LF there raises
ValueError instead of starting a field of the client's choosing).
"""


def _lines(text):
    # The format ends a line at CRLF, a lone CR or a lone LF.
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _one_line(name, value):
    value = str(value)
    if "\r" in value or "\n" in value:
        raise ValueError("SSE %s must not contain CR or LF" % name)
    if "\0" in value:
        raise ValueError("SSE %s must not contain NUL" % name)  # a client ignores such an id
    return value


def format_event(data=None, event=None, id=None, retry=None, comment=None):
    """The text of one event (ending in its blank line). data: str (bytes
    are decoded as UTF-8), None for none; event, id: one line each; retry:
    the client's reconnection delay in milliseconds; comment: lines the
    client ignores (keep-alives)."""
    out = []
    if comment is not None:
        for line in _lines(comment):
            out.append((": " + line if line else ":") + "\n")
    if event is not None:
        out.append("event: " + _one_line("event", event) + "\n")
    if id is not None:
        out.append("id: " + _one_line("id", id) + "\n")
    if retry is not None:
        if not isinstance(retry, int) or isinstance(retry, bool) or retry < 0:
            raise ValueError("SSE retry must be a whole number of milliseconds")
        out.append("retry: %d\n" % retry)
    if data is not None:
        if isinstance(data, (bytes, bytearray)):
            data = str(data, "utf-8")
        for line in _lines(data):
            out.append("data: " + line + "\n")
    out.append("\n")
    return "".join(out)
