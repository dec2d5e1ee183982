// The .po reader, and the shipped catalogs: readable, and no key missing from any of them.
#include "kiosk/assets/catalog.hpp"

#include <fstream>
#include <gtest/gtest.h>

using kiosk::assets::Catalog;

namespace {

std::filesystem::path write_po(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      (std::string("kiosk-catalog-") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".po");
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST(Catalog, ReadsEntriesContinuationsAndEscapes) {
    std::string error;
    auto catalog =
        Catalog::load(write_po("# comment\nmsgid \"\"\nmsgstr \"Language: x\\n\"\n\n"
                               "msgid \"a.key\"\nmsgstr \"first \"\n\"second \\\"q\\\"\"\n"
                               "msgid \"missing\"\nmsgstr \"\"\n"),
                      error);
    ASSERT_TRUE(catalog.has_value()) << error;
    EXPECT_EQ(catalog->text("a.key"), "first second \"q\"");
    EXPECT_FALSE(catalog->contains("missing")) << "an empty msgstr is an untranslated entry";
    EXPECT_EQ(catalog->text("missing"), "missing");
    EXPECT_EQ(catalog->keys().size(), 1u);
}

TEST(Catalog, BrokenFileIsRefusedWithItsLineNumber) {
    std::string error;
    EXPECT_FALSE(Catalog::load(write_po("msgid \"a\"\nmsgstr \"b\"\nnonsense\n"), error));
    EXPECT_NE(error.find(":3:"), std::string::npos) << error;
}

TEST(Catalog, FormatReplacesEveryPlaceholder) {
    std::string error;
    auto catalog = Catalog::load(write_po("msgid \"k\"\nmsgstr \"{n} of {n}, {m}\"\n"), error);
    ASSERT_TRUE(catalog.has_value());
    EXPECT_EQ(catalog->format("k", {{"n", "2"}, {"m", "x"}}), "2 of 2, x");
}

TEST(ShippedCatalogs, EveryLanguageHasEveryEnglishKey) {
    std::string error;
    const auto english = Catalog::load_language("en", error);
    ASSERT_TRUE(english.has_value()) << error;
    EXPECT_GT(english->keys().size(), 40u);
    for (const auto& entry :
         std::filesystem::directory_iterator(kiosk::assets::assets_dir() / "i18n")) {
        if (entry.path().extension() != ".po") {
            continue;
        }
        const auto catalog = Catalog::load(entry.path(), error);
        ASSERT_TRUE(catalog.has_value()) << error;
        for (const auto& key : english->keys()) {
            EXPECT_TRUE(catalog->contains(key)) << entry.path().filename() << " misses " << key;
        }
    }
}
