"""The template compiler: utemplate's, with escaped `{{ }}` output, escaping
includes, and errors that name the file and line. Loaded only while a
template compiles (picoweb.templates drops it afterwards).
"""

from io import StringIO

from utemplate.source import Compiler

from .templates import TemplateError, escape, safe, stamp

# Statements that open a block closed by {% end<word> %}; each takes an expression.
BLOCKS = ("if", "for", "while", "with")

try:
    compile
except NameError:  # MicroPython ports built without compile(): exec() takes source text
    def compile(source, filename, mode):
        return source


def compile_template(loader, name):
    """The template `name` of `loader` compiled: its generator function
    `render`, its `{% args %}` declaration, and [(path, stamp)] of the files
    it was made from."""
    out = StringIO()
    sources = []
    compiler = TemplateCompiler(loader, name, out, sources)
    try:
        compiler.compile()
    except OSError:
        raise TemplateError("no template %s in %s" % (name, loader.folder))
    namespace = {"_escape": escape, "safe": safe}
    try:
        exec(compile(out.getvalue(), "<template %s>" % name, "exec"), namespace)
    except SyntaxError as exc:  # in a {{ }} or {% %}: Python's own message
        code = getattr(exc, "text", None)
        raise TemplateError("%s: %s%s" % (name, exc.args[0] if exc.args else "invalid syntax",
                                          " in: " + code.strip() if code else ""))
    return namespace["render"], compiler.args, sources


class TemplateCompiler(Compiler):
    """utemplate's compiler with escaped expressions, escaping includes, file
    names and line numbers in its errors, and the files it read noted."""

    def __init__(self, loader, name, file_out, sources, indent=0, seq=0, including=()):
        super().__init__(None, file_out, indent, seq)  # compile() opens the file itself
        self.templates = loader
        self.name = name
        self.sources = sources  # [(path, stamp)] of every file read
        self.including = including + (name,)
        self.line = 0
        self.opened = []  # line of each open block, innermost last

    def error(self, message, line=None):
        return TemplateError("%s, line %d: %s" % (self.name, line or self.line, message))

    def render_expr(self, e):
        self.indent()
        self.file_out.write("yield _escape(" + e + ")\n")

    def literal(self, s):
        # utemplate escapes only quotes: a backslash in the text would start
        # an escape sequence in the generated string.
        super().literal(s.replace("\\", "\\\\"))

    def parse_statement(self, stmt):
        tokens = stmt.split(None, 1)
        word = tokens[0] if tokens else ""
        rest = tokens[1] if len(tokens) > 1 else ""
        if word == "include":
            return self.include(rest)
        if word == "args":
            if self.flushed_header:
                raise self.error("{% args %} must come before any output")
        elif word in BLOCKS or word == "elif":
            if not rest:
                raise self.error("{%% %s %%} needs an expression" % word)
            if word == "elif":
                self.check_in_if(word)
            else:
                self.opened.append(self.line)
        elif word == "else" or (word[:3] == "end" and word[3:] in BLOCKS):
            if rest:
                raise self.error("{%% %s %%} takes nothing after it" % word)
            if word == "else":
                self.check_in_if(word)
            elif len(self.stack) < 2 or self.stack[-1] != word[3:]:
                inner = self.stack[-1] if len(self.stack) > 1 else None
                raise self.error("{%% %s %%} without {%% %s %%}" % (word, word[3:])
                                 + (" (the open block is {%% %s %%})" % inner if inner else ""))
            else:
                self.opened.pop()
        else:
            raise self.error("unknown statement {%% %s %%}" % stmt)
        super().parse_statement(stmt)

    def check_in_if(self, word):
        if not self.stack or self.stack[-1] != "if":
            raise self.error("{%% %s %%} outside {%% if %%}" % word)

    def include(self, rest):
        # utemplate's own include compiles with a plain Compiler (unescaped)
        # and finds the file relative to the working directory.
        tokens = rest.split(None, 1)
        quoted = tokens[0] if tokens else ""
        if len(quoted) < 3 or quoted[0] not in "\"'" or quoted[-1] != quoted[0]:
            raise self.error('{% include %} takes a quoted file name: {% include "part.tpl" %}')
        name = quoted[1:-1]
        if name in self.including:
            raise self.error("%s includes itself" % name)
        self.seq += 1
        include_id = self.seq
        inner = TemplateCompiler(self.templates, name, self.file_out, self.sources,
                                 len(self.stack) + self._indent, self.seq, self.including)
        try:
            self.seq = inner.compile()
        except OSError:
            raise self.error("{%% include %%}: no template %s in %s" % (name, self.templates.folder))
        self.indent()
        self.file_out.write("yield from render%d(%s)\n" % (include_id, tokens[1] if len(tokens) > 1 else ""))

    def compile(self):
        path = self.templates.path(self.name)
        self.sources.append((path, stamp(path)))
        with open(path, encoding="utf-8") as source:
            for line in source:
                self.line += 1
                try:
                    self.parse_line(line)
                except (AssertionError, IndexError):  # utemplate's own checks
                    raise self.error(_unclosed(line))
        self.close_literal()
        if self.opened:
            block = self.stack[-1]
            raise self.error("{%% %s %%} is never closed by {%% end%s %%}" % (block, block), self.opened[-1])
        return self.seq


def _unclosed(line):
    for start, end in (("{{", "}}"), ("{%", "%}")):
        at = line.find(start)
        if at >= 0 and line.find(end, at) < 0:
            return "%s without %s on the same line" % (start, end)
    return "a { at the very end of the file: end it with a newline"
