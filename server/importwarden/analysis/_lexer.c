/* The scanner's first pass in C: where every comment, string literal and `import` / `from`
 * keyword of a Python source text is.
 *
 * `lex(text)` returns `(spans, keywords, lines)`, exactly what
 * `importwarden.analysis.lexer.lex_py` returns: `spans` is the flat list [start0, end0, start1,
 * end1, ...] of the comments and string literals, `keywords` the starts of the `import` and
 * `from` words, in the order `lexer.MASTER.finditer` finds them (lexer.py holds the regex;
 * every branch below is one of its alternatives, tried in the same order at each position),
 * and `lines` the starts of the lines that may bind a name at column 0: after a line break
 * outside every span, an ASCII letter, `_`, `(`, `[` or any non-ASCII character (what
 * `lexer.LINE_CANDIDATE` finds). All offsets are code points.
 * tests/unit/analysis/test_lexer.py compares the two on every corpus file and on generated
 * texts.
 *
 * Why C: that one `finditer` was half of the scanner's time and a quarter of a cold `check`
 * (benchmarks/results/check_profile.txt, 2026-12-07); a byte loop does the same walk ~20x
 * faster. Built against the stable ABI (Py_LIMITED_API 3.10), so one binary serves CPython
 * 3.10 and later; when it is missing, lexer.py uses the regex.
 */
#include <Python.h>
#include <string.h>

typedef struct {
    Py_ssize_t *data;
    Py_ssize_t len, cap;
} Vec;

static int vec_push(Vec *v, Py_ssize_t x) {
    if (v->len == v->cap) {
        Py_ssize_t cap = v->cap ? v->cap * 2 : 256;
        Py_ssize_t *data = PyMem_Realloc(v->data, (size_t)cap * sizeof(Py_ssize_t));
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return 0;
}

static PyObject *vec_to_list(const Vec *v) {
    PyObject *list = PyList_New(v->len);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < v->len; i++) {
        PyObject *n = PyLong_FromSsize_t(v->data[i]);
        if (n == NULL || PyList_SetItem(list, i, n) < 0) {
            Py_DECREF(list);
            return NULL;
        }
    }
    return list;
}

/* The characters a match can start with: '#', quotes, and the keywords' first letters; and line
 * breaks. LINE_STARTS: the ASCII characters a column-0 binding line can start with. */
static unsigned char STARTS[256], LINE_STARTS[128];

static int is_ascii_word(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* `re`'s \w for a str pattern: str.isalnum() or '_'. Non-ASCII letters right after a keyword
 * are rare, so they ask Python (the limited API has no Unicode database). -1: error. */
static int is_word(Py_UCS4 c) {
    if (c < 128)
        return is_ascii_word(c);
    PyObject *ch = PyUnicode_FromOrdinal((int)c);
    if (ch == NULL)
        return -1;
    PyObject *r = PyObject_CallMethod(ch, "isalnum", NULL);
    Py_DECREF(ch);
    if (r == NULL)
        return -1;
    int yes = PyObject_IsTrue(r);
    Py_DECREF(r);
    return yes;
}

/* One walk, written once for 1-byte (ASCII) and 4-byte (UCS-4) texts. Returns 0, or -1 with
 * an exception set. */
#define DEFINE_LEX(NAME, CHAR)                                                                   \
    static int NAME(const CHAR *s, Py_ssize_t n, Vec *spans, Vec *keywords, Vec *lines) {       \
        Py_ssize_t p = 0;                                                                        \
        while (p < n) {                                                                          \
            /* (the tight loop where most characters go by) */                                   \
            while (p < n && (s[p] >= 256 || !STARTS[s[p]]))                                      \
                p++;                                                                             \
            if (p >= n)                                                                          \
                break;                                                                           \
            Py_UCS4 c = s[p];                                                                    \
            if (c == '\n' || c == '\r') { /* a line break outside the spans */                   \
                if (p + 1 < n && (s[p + 1] >= 128 || LINE_STARTS[s[p + 1]])                        \
                    && vec_push(lines, p + 1) < 0)                                               \
                    return -1;                                                                   \
                p++;                                                                             \
                continue;                                                                        \
            }                                                                                    \
            if (c == '#') { /* #[^\r\n]* */                                                      \
                Py_ssize_t q = p + 1;                                                            \
                while (q < n && s[q] != '\r' && s[q] != '\n')                                    \
                    q++;                                                                         \
                if (vec_push(spans, p) < 0 || vec_push(spans, q) < 0)                            \
                    return -1;                                                                   \
                p = q;                                                                           \
                continue;                                                                        \
            }                                                                                    \
            if (c == '\'' || c == '"') {                                                         \
                Py_ssize_t end = -1;                                                             \
                if (p + 2 < n && s[p + 1] == c && s[p + 2] == c) {                               \
                    /* '''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z): the first           \
                     * unescaped ''' closes it, the end of the text too; a backslash as the     \
                     * last character fails the branch (then the one-quote branch matches). */  \
                    Py_ssize_t q = p + 3;                                                        \
                    for (;;) {                                                                   \
                        while (q < n && s[q] != c && s[q] != '\\')                               \
                            q++;                                                                 \
                        if (q >= n) {                                                            \
                            end = n;                                                             \
                            break;                                                               \
                        }                                                                        \
                        Py_UCS4 d = s[q];                                                        \
                        if (d == '\\') {                                                         \
                            if (q + 1 >= n)                                                      \
                                break;                                                           \
                            q += 2;                                                              \
                        } else if (d == c && q + 2 < n && s[q + 1] == c && s[q + 2] == c) {      \
                            end = q + 3;                                                         \
                            break;                                                               \
                        } else {                                                                 \
                            q++;                                                                 \
                        }                                                                        \
                    }                                                                            \
                }                                                                                \
                if (end < 0) {                                                                   \
                    /* '[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'? : ends after its quote,  \
                     * before a line break, before a backslash that ends the text, or there. */ \
                    Py_ssize_t q = p + 1;                                                        \
                    for (;;) {                                                                   \
                        while (q < n && s[q] != c && s[q] != '\\' && s[q] != '\n' && s[q] != '\r')  \
                            q++;                                                                 \
                        if (q >= n) {                                                            \
                            end = n;                                                             \
                            break;                                                               \
                        }                                                                        \
                        Py_UCS4 d = s[q];                                                        \
                        if (d == c) {                                                            \
                            end = q + 1;                                                         \
                            break;                                                               \
                        }                                                                        \
                        if (d == '\r' || d == '\n') {                                            \
                            end = q;                                                             \
                            break;                                                               \
                        }                                                                        \
                        if (d == '\\') {                                                         \
                            if (q + 1 >= n) {                                                    \
                                end = q;                                                         \
                                break;                                                           \
                            }                                                                    \
                            q += (s[q + 1] == '\r' && q + 2 < n && s[q + 2] == '\n') ? 3 : 2;    \
                        } else {                                                                 \
                            q++;                                                                 \
                        }                                                                        \
                    }                                                                            \
                }                                                                                \
                if (vec_push(spans, p) < 0 || vec_push(spans, end) < 0)                          \
                    return -1;                                                                   \
                p = end;                                                                         \
                continue;                                                                        \
            }                                                                                    \
            /* import\b | from\b (the word before is checked by the caller, as for the regex) */ \
            Py_ssize_t len = 0;                                                                  \
            if (c == 'i' && p + 6 <= n && s[p + 1] == 'm' && s[p + 2] == 'p' && s[p + 3] == 'o'  \
                && s[p + 4] == 'r' && s[p + 5] == 't')                                           \
                len = 6;                                                                         \
            else if (c == 'f' && p + 4 <= n && s[p + 1] == 'r' && s[p + 2] == 'o'                \
                     && s[p + 3] == 'm')                                                         \
                len = 4;                                                                         \
            if (len) {                                                                           \
                int word = p + len < n ? is_word(s[p + len]) : 0;                                \
                if (word < 0)                                                                    \
                    return -1;                                                                   \
                if (!word) {                                                                     \
                    if (vec_push(keywords, p) < 0)                                               \
                        return -1;                                                               \
                    p += len;                                                                    \
                    continue;                                                                    \
                }                                                                                \
            }                                                                                    \
            p++;                                                                                 \
        }                                                                                        \
        return 0;                                                                                \
    }

DEFINE_LEX(lex_ascii, unsigned char)
DEFINE_LEX(lex_ucs4, Py_UCS4)

static PyObject *lex(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "lex() takes a str");
        return NULL;
    }
    PyObject *ascii = PyObject_CallMethod(text, "isascii", NULL);
    if (ascii == NULL)
        return NULL;
    int is_ascii = PyObject_IsTrue(ascii);
    Py_DECREF(ascii);
    Vec spans = {NULL, 0, 0}, keywords = {NULL, 0, 0}, lines = {NULL, 0, 0};
    int rc;
    if (is_ascii) {
        /* an ASCII str's UTF-8 form is its own buffer: no copy */
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(text, &n);
        rc = s == NULL ? -1 : lex_ascii((const unsigned char *)s, n, &spans, &keywords, &lines);
    } else {
        Py_UCS4 *s = PyUnicode_AsUCS4Copy(text);
        rc = s == NULL ? -1 : lex_ucs4(s, PyUnicode_GetLength(text), &spans, &keywords, &lines);
        PyMem_Free(s);
    }
    PyObject *result = NULL;
    if (rc == 0) {
        PyObject *a = vec_to_list(&spans), *b = a ? vec_to_list(&keywords) : NULL;
        PyObject *c = b ? vec_to_list(&lines) : NULL;
        if (c != NULL)
            result = PyTuple_Pack(3, a, b, c);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
    }
    PyMem_Free(spans.data);
    PyMem_Free(keywords.data);
    PyMem_Free(lines.data);
    return result;
}

static PyMethodDef methods[] = {
    {"lex", lex, METH_O,
     "lex(text) -> (spans, keywords, lines): the comments and string literals of a Python "
     "source text as a flat list of (start, end) code point offsets, the offsets of its `import` "
     "and `from` words, and of the lines that may bind a name at column 0; the same as "
     "importwarden.analysis.lexer.lex_py."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lexer_module = {
    PyModuleDef_HEAD_INIT, "_lexer", "The scanner's first pass in C (see lexer.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__lexer(void) {
    STARTS['#'] = STARTS['\''] = STARTS['"'] = STARTS['i'] = STARTS['f'] = 1;
    STARTS['\n'] = STARTS['\r'] = 1;
    for (int c = 'a'; c <= 'z'; c++)
        LINE_STARTS[c] = LINE_STARTS[c - 'a' + 'A'] = 1;
    LINE_STARTS['_'] = LINE_STARTS['('] = LINE_STARTS['['] = 1;
    PyObject *module = PyModule_Create(&lexer_module);
    /* what lex() returns: lexer.py uses the module only when it expects this very shape (an
     * in-place build left over from an older checkout falls back instead of breaking) */
    if (module != NULL && PyModule_AddIntConstant(module, "VERSION", 2) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
