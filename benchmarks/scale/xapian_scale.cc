// Xapian side of the scale benchmark (benchmarks/scale/run.sh compiles it when libxapian-dev is
// installed; Meson's build does not depend on Xapian). Xapian 1.4, BM25, top 10 with snippets.
//
// usage: xapian_scale build INDEX.db XAPIAN_DIR
//          indexes the ofsearch index's sections (the text the FTS5 baseline gets too): title
//          (counted twice, as a cheap field weight), headings, body, code and meta, English
//          stemming as ofsearch's default tokenizer; each section's title, body and code are
//          its document data, from which snippets are cut. Prints the build time.
//        xapian_scale serve XAPIAN_DIR OPENS
//          the first line on stdin is a query: opens the database OPENS times, running that query
//          after each open, and prints "open_ms=... first_ms=..." (medians). Then answers every
//          further line with "MS HITS RELAXED": MS the query's time measured here, so that
//          bench_scale, which interleaves it with the other systems, does not count the pipe.
//
// Like ofsearch's default: all the words, and when fewer than 10 documents hold them all, the
// page topped up with documents holding any of them.
#include <xapian.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <iostream>
#include <string>
#include <vector>

static double now_ms()
{
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

static std::string column(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char *>(t)) : std::string();
}

static int build(const char *index, const char *dir)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(index, &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT id, title, headings, body, code, meta FROM sections",
                           -1, &st, nullptr) != SQLITE_OK) {
        // The driver reads ofsearch's sections table: a changed schema shows up here.
        std::fprintf(stderr, "xapian_scale: cannot read sections of %s: %s\n", index,
                     sqlite3_errmsg(db));
        return 2;
    }
    double t0 = now_ms();
    Xapian::WritableDatabase out(dir, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    long n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        Xapian::Document doc;
        tg.set_document(doc);
        std::string title = column(st, 1), body = column(st, 3), code = column(st, 4);
        tg.index_text(title, 2);
        for (int i = 2; i <= 5; i++) {
            tg.increase_termpos();
            tg.index_text(i == 3 ? body : i == 4 ? code : column(st, i));
        }
        doc.set_data(title + "\n" + body + "\n" + code);
        out.replace_document(static_cast<Xapian::docid>(sqlite3_column_int64(st, 0)), doc);
        n++;
    }
    out.commit();
    double ms = now_ms() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    std::printf("xapian_build_ms=%.0f xapian_docs=%ld\n", ms, n);
    return 0;
}

struct searcher {
    Xapian::Database db;
    Xapian::Enquire enquire;
    Xapian::QueryParser qp;
    Xapian::Stem stem{"english"};
    size_t bytes = 0; // snippets' total length: keeps the work from being skipped

    explicit searcher(const std::string &dir) : db(dir), enquire(db)
    {
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        qp.set_stemmer(stem);
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_database(db);
        qp.set_default_op(Xapian::Query::OP_AND);
    }

    // Top 10 with snippets: the documents holding every word, topped up with those holding
    // any of them when there are fewer than 10 (then relaxed is set, as ofsearch's results).
    long search(const std::string &q, int &relaxed)
    {
        Xapian::Query all = qp.parse_query(q, 0);
        enquire.set_query(all);
        Xapian::MSet mset = enquire.get_mset(0, 10), more;
        std::vector<Xapian::docid> seen;
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it)
            seen.push_back(*it);
        bytes += snippets(mset, seen, 0);
        relaxed = 0;
        if (seen.size() < 10 &&
            std::distance(all.get_unique_terms_begin(), all.get_unique_terms_end()) > 1) {
            size_t before = seen.size();
            enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, all.get_unique_terms_begin(),
                                            all.get_unique_terms_end()));
            more = enquire.get_mset(0, 10);
            for (Xapian::MSetIterator it = more.begin(); it != more.end() && seen.size() < 10;
                 ++it)
                if (std::find(seen.begin(), seen.end(), *it) == seen.end())
                    seen.push_back(*it);
            bytes += snippets(more, seen, before);
            relaxed = seen.size() > before;
        }
        return static_cast<long>(seen.size());
    }

    // The snippets of docs[from..] (all in mset), cut from their stored text; their length.
    size_t snippets(const Xapian::MSet &mset, const std::vector<Xapian::docid> &docs, size_t from)
    {
        size_t n = 0;
        for (size_t i = from; i < docs.size(); i++)
            n += mset.snippet(db.get_document(docs[i]).get_data(), 200, stem,
                              Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                                  Xapian::MSet::SNIPPET_EXHAUSTIVE,
                              "<mark>", "</mark>", "…")
                     .size();
        return n;
    }
};

static int serve(const char *dir, int opens)
{
    std::string q0;
    if (!std::getline(std::cin, q0))
        return 2;
    std::vector<double> open_ms, first_ms;
    searcher *s = nullptr;
    for (int i = 0; i < std::max(opens, 1); i++) {
        delete s;
        double t0 = now_ms();
        s = new searcher(dir);
        open_ms.push_back(now_ms() - t0);
        int relaxed;
        s->search(q0, relaxed);
        first_ms.push_back(now_ms() - t0);
    }
    std::sort(open_ms.begin(), open_ms.end());
    std::sort(first_ms.begin(), first_ms.end());
    std::printf("xapian_ms=%.2f xapian_first_ms=%.2f\n", open_ms[open_ms.size() / 2],
                first_ms[first_ms.size() / 2]);
    std::fflush(stdout);
    for (std::string q; std::getline(std::cin, q);) {
        int relaxed = 0;
        long hits = -1;
        double t0 = now_ms();
        try {
            hits = s->search(q, relaxed);
        } catch (const Xapian::Error &e) {
            std::fprintf(stderr, "xapian_scale: %s: %s\n", q.c_str(), e.get_msg().c_str());
        }
        double ms = now_ms() - t0;
        if (hits < 0)
            std::printf("error\n");
        else
            std::printf("%.4f %ld %d\n", ms, hits, relaxed);
        std::fflush(stdout);
    }
    delete s;
    return 0;
}

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::string(argv[1]) == "build")
            return build(argv[2], argv[3]);
        if (argc == 4 && std::string(argv[1]) == "serve")
            return serve(argv[2], std::atoi(argv[3]));
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_scale: %s\n", e.get_description().c_str());
        return 2;
    }
    std::fprintf(stderr, "usage: xapian_scale build INDEX.db XAPIAN_DIR\n"
                         "       xapian_scale serve XAPIAN_DIR OPENS\n");
    return 2;
}
