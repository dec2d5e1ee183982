// The .po reader, and the shipped catalogs: readable, and no key missing from any of them.
#include "kiosk/assets/catalog.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

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
        Catalog::load(write_po("# comment\nmsgid \"\"\nmsgstr \"Language: en\\n\"\n\n"
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

TEST(Catalog, ReadsPluralEntriesAndPicksTheFormForTheCount) {
    std::string error;
    auto catalog = Catalog::load(write_po("msgid \"\"\nmsgstr \"Language: pl\\n\"\n"
                                          "msgid \"k\"\nmsgid_plural \"k\"\n"
                                          "msgstr[0] \"{n} próba\"\nmsgstr[1] \"{n} próby\"\n"
                                          "msgstr[2] \"{n} prób\"\n"),
                                 error);
    ASSERT_TRUE(catalog.has_value()) << error;
    EXPECT_EQ(catalog->language(), "pl");
    EXPECT_TRUE(catalog->is_plural("k"));
    EXPECT_EQ(catalog->plural("k", 1), "1 próba");
    EXPECT_EQ(catalog->plural("k", 3), "3 próby");
    EXPECT_EQ(catalog->plural("k", 5), "5 prób");
    EXPECT_EQ(catalog->plural("k", 22), "22 próby");
    EXPECT_EQ(catalog->plural("k", 12), "12 prób");
}

TEST(PluralRules, FollowEachLanguage) {
    using kiosk::assets::plural_index;
    EXPECT_EQ(plural_index("en", 1), 0);
    EXPECT_EQ(plural_index("en", 0), 1);
    EXPECT_EQ(plural_index("ru", 21), 0); // двадцать одна попытка
    EXPECT_EQ(plural_index("ru", 11), 2); // одиннадцать попыток
    EXPECT_EQ(plural_index("ru", 3), 1);  // три попытки
    EXPECT_EQ(plural_index("pl", 21), 2); // dwadzieścia jeden prób
    EXPECT_EQ(plural_index("he", 2), 1);  // dual
    EXPECT_EQ(plural_index("he", 7), 2);
}

TEST(ShippedCatalogs, GettextsOwnCheckerAcceptsThem) {
    for (const char* language : {"en", "pl", "ru", "he"}) {
        const auto po = kiosk::assets::assets_dir() / "i18n" / (std::string(language) + ".po");
        const std::string command = "msgfmt --check -o /dev/null " + po.string();
        EXPECT_EQ(std::system(command.c_str()), 0) << command;
    }
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
            if (english->is_plural(key)) {
                EXPECT_TRUE(catalog->is_plural(key)) << entry.path().filename() << ": " << key;
                EXPECT_EQ(
                    catalog->form_count(key),
                    static_cast<std::size_t>(kiosk::assets::plural_form_count(catalog->language())))
                    << entry.path().filename() << ": " << key;
            }
        }
        // The header's Plural-Forms must agree with the rule the kiosk applies.
        const std::string header =
            "nplurals=" + std::to_string(kiosk::assets::plural_form_count(catalog->language()));
        std::ifstream in(entry.path());
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        EXPECT_NE(text.find(header), std::string::npos) << entry.path().filename();
    }
}

TEST(ShippedCatalogs, LoadTogetherAndFallBackToEnglish) {
    std::string error;
    const auto catalogs = kiosk::assets::Catalogs::load_shipped(error);
    ASSERT_TRUE(catalogs.has_value()) << error;
    EXPECT_EQ(catalogs->languages(), (std::vector<std::string>{"en", "pl", "ru", "he"}));
    EXPECT_EQ(catalogs->of("pl").text("language.name"), "Polski");
    EXPECT_EQ(catalogs->of("ru").text("language.name"), "Русский");
    EXPECT_EQ(catalogs->of("he").text("language.name"), "עברית");
    EXPECT_FALSE(catalogs->has("xx"));
    EXPECT_EQ(catalogs->of("xx").language(), "en");
    EXPECT_TRUE(kiosk::assets::is_right_to_left("he"));
    EXPECT_FALSE(kiosk::assets::is_right_to_left("ru"));
}

TEST(ShippedCatalogs, DatesReadAsEachLanguageWritesThem) {
    std::string error;
    const auto catalogs = kiosk::assets::Catalogs::load_shipped(error);
    ASSERT_TRUE(catalogs.has_value()) << error;
    using kiosk::assets::format_date_time;
    const std::string when = "2026-11-02T16:40:05Z";
    EXPECT_EQ(format_date_time(catalogs->of("en"), when), "2 November 2026, 16:40");
    EXPECT_EQ(format_date_time(catalogs->of("pl"), when), "2 listopada 2026, 16:40");
    EXPECT_EQ(format_date_time(catalogs->of("ru"), when), "2 ноября 2026 г., 16:40");
    EXPECT_EQ(format_date_time(catalogs->of("he"), when), "2 בנובמבר 2026, 16:40");
    EXPECT_EQ(format_date_time(catalogs->of("en"), "yesterday"), "yesterday");
    EXPECT_EQ(format_date_time(catalogs->of("en"), "2026-13-02T16:40:05Z"), "2026-13-02T16:40:05Z");
}
