// The install script puts a font package on the machine; the lookup must find it.
#include "kiosk/assets/fonts.hpp"

#include <gtest/gtest.h>

TEST(Fonts, FindsAnInstalledUiFont) {
    const auto fonts = kiosk::assets::find_ui_fonts();
    ASSERT_TRUE(fonts.has_value()) << "install fonts-noto-core or fonts-dejavu-core";
    EXPECT_TRUE(std::filesystem::is_regular_file(fonts->regular));
    EXPECT_EQ(fonts->regular.extension(), ".ttf");
}
