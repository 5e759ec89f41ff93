// The public headers from C++: the umbrella header alone declares the whole API, with C linkage
// (the extern "C" guards), so a C++ program links against the C library.
#include "ofsearch/ofsearch.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main()
{
    int bad = 0;
    ofs_search_config cfg;
    ofs_search_config_default(&cfg);
    bad += cfg.max_limit <= 0;
    ofs_build_options bo;
    ofs_build_options_default(&bo);
    bad += bo.max_depth != 3;
    bad += std::strcmp(ofs_strerror(OFS_NOMEM), "out of memory") != 0;
    bad += std::strcmp(ofs_kind_name(OFS_KIND_FAQ), "faq") != 0;
    bad += !ofs_is_stopword("the", 3);
    bad += !ofs_is_markdown_path("a.md");
    ofs_tokenizer *tok = nullptr;
    bad += ofs_tokenizer_new(nullptr, 0, &tok, nullptr) != OFS_OK;
    ofs_tokenizer_free(tok);
    bad += std::strcmp(ofs_eval_metric_name(OFS_M_MAP), "map") != 0;
    bad += !ofs_is_html_path("a.html");
    bad += ofs_facet_field_find("kind", 4) < 0;
    char *manifest = ofs_snapshot_manifest_path("a.db");
    bad += manifest == nullptr || std::strcmp(manifest, "a.db.json") != 0;
    std::free(manifest);
    std::printf("%s\n", bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}
