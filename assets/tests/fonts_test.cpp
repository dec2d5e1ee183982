// The install script puts a font package on the machine; the lookup must find one that
// draws every character of every shipped catalog, so no language shows '?' boxes.
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"

#include <gtest/gtest.h>

TEST(Fonts, FindsAnInstalledUiFont) {
    const auto fonts = kiosk::assets::find_ui_fonts();
    ASSERT_TRUE(fonts.has_value()) << "install fonts-dejavu-core";
    EXPECT_TRUE(std::filesystem::is_regular_file(fonts->regular));
    EXPECT_EQ(fonts->regular.extension(), ".ttf");
}

TEST(Fonts, TheFoundFontDrawsEveryCharacterOfEveryCatalog) {
    const auto fonts = kiosk::assets::find_ui_fonts();
    ASSERT_TRUE(fonts.has_value());
    std::string error;
    const auto catalogs = kiosk::assets::Catalogs::load_shipped(error);
    ASSERT_TRUE(catalogs.has_value()) << error;
    std::string all; // every text at once: each check reads the whole font file
    for (const auto& language : catalogs->languages()) {
        const auto& catalog = catalogs->of(language);
        for (const auto& key : catalog.keys()) {
            for (long n : {1L, 2L, 5L}) {
                all += catalog.plural(key, n);
            }
        }
    }
    ASSERT_GT(all.size(), 10000u);
    EXPECT_TRUE(kiosk::assets::font_covers(fonts->regular, all)) << fonts->regular;
    EXPECT_TRUE(kiosk::assets::font_covers(fonts->bold, all)) << fonts->bold;
}

TEST(Fonts, CoverageIsReadFromTheFontNotAssumed) {
    // Noto Sans has Latin and Cyrillic but keeps Hebrew in a separate file.
    const std::filesystem::path noto = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    ASSERT_TRUE(std::filesystem::is_regular_file(noto)) << "fonts-noto-core is installed";
    EXPECT_TRUE(kiosk::assets::font_covers(noto, "Zażółć gęślą jaźń, съешь же ещё"));
    EXPECT_FALSE(kiosk::assets::font_covers(noto, "שלום"));
    EXPECT_FALSE(kiosk::assets::font_covers("/etc/hostname", "a")) << "not a font";
    EXPECT_FALSE(kiosk::assets::font_covers("/nonexistent.ttf", "a"));
}
