// visual_order: Hebrew runs reverse, numbers and Latin inside them keep their own order,
// left-to-right text is untouched.
#include "kiosk/assets/bidi.hpp"

#include <gtest/gtest.h>

using kiosk::assets::visual_order;

TEST(Bidi, LeftToRightTextIsUnchanged) {
    EXPECT_EQ(visual_order("Reference: RST-7K2Q9D", false), "Reference: RST-7K2Q9D");
    EXPECT_EQ(visual_order("Język", false), "Język");
}

TEST(Bidi, HebrewIsReversedForDrawingLeftToRight) {
    // שלום = shin lamed vav final-mem; drawn left to right it starts with the final mem.
    EXPECT_EQ(visual_order("שלום", true), "םולש");
}

TEST(Bidi, NumbersAndLatinKeepTheirOrderInsideHebrew) {
    const std::string visual = visual_order("נותרו 12 ניסיונות RST-7K", true);
    EXPECT_NE(visual.find("12"), std::string::npos) << visual;
    EXPECT_NE(visual.find("RST-7K"), std::string::npos) << visual;
    // The first logical word (נותרו) ends up at the right end of the line.
    EXPECT_EQ(visual.substr(visual.size() - std::string("ורתונ").size()), "ורתונ");
}

TEST(Bidi, BracketsAreMirroredInRightToLeftText) {
    EXPECT_EQ(visual_order("(שלום)", true), "(םולש)");
}
