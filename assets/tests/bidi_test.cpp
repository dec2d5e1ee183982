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

TEST(Bidi, APhoneNumberInAnIsolateKeepsItsDigitGroupsInOrder) {
    using kiosk::assets::left_to_right_isolate;
    // Without the isolate the groups of "+48 22 555 01 23" come out right to left.
    EXPECT_EQ(visual_order("טלפון: +48 22 555 01 23", true), "23 01 555 22 48+ :ןופלט");
    EXPECT_EQ(visual_order("טלפון: " + left_to_right_isolate("+48 22 555 01 23"), true),
              "+48 22 555 01 23 :ןופלט")
        << "and the isolate's own marks are not drawn";
}

TEST(Bidi, TheCaretOfAnEditedLineGoesWhereAReaderExpectsIt) {
    using kiosk::assets::caret_gap;
    using kiosk::assets::visual_layout;
    const auto hebrew = visual_layout("שלום", true); // drawn םולש
    EXPECT_EQ(caret_gap(hebrew, 4), 0) << "after the last letter: at the left end";
    EXPECT_EQ(caret_gap(hebrew, 0), 4) << "before the first: at the right end";
    EXPECT_EQ(caret_gap(hebrew, 1), 3) << "after shin, the rightmost letter";

    const auto latin = visual_layout("jdoe@", true); // an address being typed, RTL paragraph
    EXPECT_EQ(caret_gap(latin, 5), 0) << "the neutral @ ends a right-to-left line: far left";
    const auto address = visual_layout("jdoe@", false); // as an identifier field lays it out
    EXPECT_EQ(address.visual, U"jdoe@");
    EXPECT_EQ(caret_gap(address, 5), 5);

    const auto mixed = visual_layout("שלום abc", true); // drawn "abc םולש"
    EXPECT_EQ(mixed.visual, U"abc \u05DD\u05D5\u05DC\u05E9");
    EXPECT_EQ(caret_gap(mixed, 8), 3) << "after c: right of it, inside the Latin run";
    EXPECT_EQ(caret_gap(mixed, 4), 4) << "after the last Hebrew letter: on its left";
    EXPECT_EQ(caret_gap(mixed, 5), 3) << "after the space, which belongs to the Hebrew run";
    EXPECT_EQ(caret_gap(visual_layout("", true), 0), 0);
}
