/* The comparison chart of `ofsearch eval --svg`: grouped bars, one group per metric and one bar
 * per configuration, on a 0..1 axis with gridlines, value labels and a legend. Hand-written SVG
 * so the output has no dependencies and diffs well. */
#include "eval_internal.h"

#include "ofsearch/ofsearch.h"

#include <string.h>

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                      "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong or surrogate */
    if (len == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
        return 0;
    return len;
}

/* Writes s as XML character data: markup characters escaped, control characters and invalid
 * UTF-8 replaced by '?', so a hostile configuration name cannot break the document. */
static void put_xml_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        size_t l = utf8_len(p, n);
        if (l == 0 || (l == 1 && p[0] < 0x20)) {
            fputc('?', f);
            l = 1;
        } else if (l == 1 && (p[0] == '&' || p[0] == '<' || p[0] == '>' || p[0] == '"')) {
            fputs(p[0] == '&' ? "&amp;" : p[0] == '<' ? "&lt;" : p[0] == '>' ? "&gt;" : "&quot;",
                  f);
        } else {
            fwrite(p, 1, l, f);
        }
        p += l;
        n -= l;
    }
}

typedef struct {
    double left, top, plot_h, bar_w, group_w, width, height;
} svg_layout;

static svg_layout layout_for(size_t n)
{
    svg_layout L;
    L.left = 60;
    L.top = 50;
    L.plot_h = 260;
    L.bar_w = n <= 4 ? 34 : n <= 8 ? 22 : 12;
    L.group_w = (double)n * L.bar_w + 36;
    L.width = L.left + OFS_M_COUNT * L.group_w + 20;
    if (L.width < 480)
        L.width = 480;
    L.height = L.top + L.plot_h + 50 + 20 * (double)((n + 2) / 3);
    return L;
}

static void draw_axis(FILE *f, const svg_layout *L)
{
    double right = L->left + OFS_M_COUNT * L->group_w;
    for (int t = 0; t <= 10; t += 2) {
        double y = L->top + L->plot_h * (1.0 - t / 10.0);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                L->left, y, right, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%.1f</text>\n",
                L->left - 6, y + 4, t / 10.0);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", L->left,
            L->top, L->left, L->top + L->plot_h);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", L->left,
            L->top + L->plot_h, right, L->top + L->plot_h);
    fprintf(f, "<text x=\"16\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 16 %.1f)\">score (mean over queries)</text>\n",
            L->top + L->plot_h / 2, L->top + L->plot_h / 2);
}

static void draw_bars(FILE *f, const svg_layout *L, const ofs_eval_result *const *results,
                      size_t n)
{
    for (int m = 0; m < OFS_M_COUNT; m++) {
        double gx = L->left + m * L->group_w + 18;
        for (size_t c = 0; c < n; c++) {
            double v = results[c]->mean[m];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            double h = v * L->plot_h, x = gx + (double)c * L->bar_w;
            double y = L->top + L->plot_h - h;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>%.4f</title></rect>\n",
                    x, y, L->bar_w - 2, h, palette[c % NPALETTE], results[c]->mean[m]);
            double cx = x + (L->bar_w - 2) / 2;
            if (L->bar_w < 30) /* narrow bars: vertical labels, or they overlap */
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                           "transform=\"rotate(-90 %.1f %.1f)\">%.3f</text>\n",
                        cx + 3, y - 3, cx + 3, y - 3, results[c]->mean[m]);
            else
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                           "text-anchor=\"middle\">%.3f</text>\n",
                        cx, y - 3, results[c]->mean[m]);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
                gx + (double)n * L->bar_w / 2, L->top + L->plot_h + 18, ofs_eval_metric_label(m));
    }
}

static void draw_legend(FILE *f, const svg_layout *L, const char *const *names, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        double x = L->left + (double)(c % 3) * 150, y = L->top + L->plot_h + 40 + 20 * (c / 3);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x,
                y - 10, palette[c % NPALETTE]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", x + 18, y);
        put_xml_text(f, names[c]);
        fputs("</text>\n", f);
    }
}

int ofs_eval_write_svg(FILE *f, const char *title, const char *const *names,
                       const ofs_eval_result *const *results, size_t n, char **errmsg)
{
    if (n == 0)
        return ofs_set_error(errmsg, OFS_INVALID, "svg: no configurations");
    svg_layout L = layout_for(n);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            L.width, L.height, L.width, L.height);
    fprintf(f, "<text x=\"%.1f\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">",
            L.width / 2);
    put_xml_text(f, title ? title : "ofsearch eval");
    fputs("</text>\n", f);
    draw_axis(f, &L);
    draw_bars(f, &L, results, n);
    draw_legend(f, &L, names, n);
    fputs("</svg>\n", f);
    if (ferror(f))
        return ofs_set_error(errmsg, OFS_IO, "svg: write error");
    return OFS_OK;
}
