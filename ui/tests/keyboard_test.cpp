// The on-screen keyboards and the code keypad in the real screens with no window: keys
// pressed by their labels type into the fields the session reads (shift, caps lock, AltGr,
// backspace, the symbols page, the layout key), the keypad keeps telephone order in Hebrew,
// keys are big enough to touch, and the keyboard keeps no copy of what was typed.
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/ui/keyboard.hpp"
#include "kiosk/ui/screens.hpp"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h> // ImTextCharFromUtf8

using namespace kiosk;

namespace {

class Kiosk {
public:
    explicit Kiosk(ImVec2 display = ImVec2(1280, 800)) : context_(ImGui::CreateContext()) {
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = display;
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        for (int k = 0; k < ImGuiKey_COUNT; ++k) {
            io.KeyMap[k] = k + 1;
        }
        fonts_ = ui::apply_theme(assets::find_ui_fonts(), display.y);
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
        std::string error;
        catalogs_ = assets::Catalogs::load_shipped(error);
        if (!catalogs_) {
            throw std::runtime_error(error);
        }
        screens_ = std::make_unique<ui::KioskScreens>(*catalogs_, fonts_);
    }
    ~Kiosk() {
        screens_.reset();
        ImGui::DestroyContext(context_);
    }
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    // Shows `view` for a few frames; intents of those frames are kept.
    void show(const app::ViewModel& view) {
        view_ = view;
        frames(3);
    }
    void frames(int n) {
        for (int i = 0; i < n; ++i) {
            ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
            ImGui::NewFrame();
            auto intents = screens_->draw(view_);
            ImGui::Render();
            intents_.insert(intents_.end(), intents.begin(), intents.end());
        }
    }
    [[nodiscard]] const ui::Control* control(const std::string& label) const {
        for (const auto& c : screens_->controls()) {
            if (c.label == label) {
                return &c;
            }
        }
        return nullptr;
    }
    // A finger on the key labelled `label`, then lifted.
    void touch(const std::string& label) {
        const ui::Control* c = control(label);
        if (c == nullptr) {
            ADD_FAILURE() << "no key labelled '" << label << "'";
            return;
        }
        ImGuiIO& io = ImGui::GetIO();
        const ImVec2 at((c->left + c->right) / 2, (c->top + c->bottom) / 2);
        for (const bool down : {false, true, false}) {
            io.MousePos = at;
            io.MouseDown[0] = down;
            frames(1);
        }
        io.MousePos = ImVec2(-1, -1);
        frames(2);
    }
    // A finger at (x, y), then lifted.
    void touch_at(float x, float y) {
        ImGuiIO& io = ImGui::GetIO();
        for (const bool down : {false, true, false}) {
            io.MousePos = ImVec2(x, y);
            io.MouseDown[0] = down;
            frames(1);
        }
        io.MousePos = ImVec2(-1, -1);
        frames(2);
    }
    void touch_all(std::initializer_list<std::string> labels) {
        for (const auto& label : labels) {
            touch(label);
        }
    }
    // A physical keyboard.
    void type(const std::string& text) {
        ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
        frames(2);
    }
    [[nodiscard]] std::string label(std::string_view key) const {
        return catalogs_->of(view_.language).text(key);
    }
    template <typename T> std::vector<T> sent() const {
        std::vector<T> out;
        for (const auto& intent : intents_) {
            if (const auto* i = std::get_if<T>(&intent)) {
                out.push_back(*i);
            }
        }
        return out;
    }
    [[nodiscard]] const ui::FontSets& fonts() const { return fonts_; }
    [[nodiscard]] const std::vector<ui::Control>& controls() const { return screens_->controls(); }
    [[nodiscard]] const ui::FieldView* field(const std::string& id) const {
        for (const auto& f : screens_->fields()) {
            if (f.id == id) {
                return &f;
            }
        }
        return nullptr;
    }

private:
    ImGuiContext* context_;
    ui::FontSets fonts_;
    std::optional<assets::Catalogs> catalogs_;
    std::unique_ptr<ui::KioskScreens> screens_;
    app::ViewModel view_;
    std::vector<app::Intent> intents_;
};

app::ViewModel screen(app::Screen which, const std::string& language = "en") {
    app::ViewModel view;
    view.screen = which;
    view.language = language;
    view.code_length = 6;
    view.min_password_length = 15;
    view.identifier = "jdoe";
    return view;
}

std::string submitted_identifier(const Kiosk& kiosk) {
    const auto sent = kiosk.sent<app::intent::SubmitIdentifier>();
    return sent.empty() ? "<nothing sent>" : sent.back().identifier;
}

} // namespace

TEST(Keyboard, LettersTypedOnTheKeysAreTheIdentifierSent) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify));
    kiosk.touch_all({"j", "d", "o", "e"});
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), "jdoe");
}

TEST(Keyboard, ShiftTakesOneLetterCapsLockKeepsOnBackspaceErases) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify));
    kiosk.touch("Shift");
    EXPECT_NE(kiosk.control("Q"), nullptr) << "Shift shows capitals";
    kiosk.touch_all({"J", "d"}); // Shift is for one letter only
    kiosk.touch("Shift");
    kiosk.touch("Shift"); // twice: Caps Lock
    ASSERT_NE(kiosk.control("Caps Lock"), nullptr);
    kiosk.touch_all({"O", "E", "X"});
    kiosk.touch("Caps Lock"); // off again
    EXPECT_NE(kiosk.control("q"), nullptr);
    kiosk.touch(kiosk.label("keyboard.backspace")); // the X
    kiosk.touch_all({"@", "1", "-", "."});
    kiosk.touch(kiosk.label("keyboard.space"));
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), "JdOE@1-. ");
}

TEST(Keyboard, TheSymbolsPageTypesEveryAsciiSymbol) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify));
    kiosk.touch("?123");
    ASSERT_EQ(kiosk.control("q"), nullptr) << "the symbols replace the letters";
    std::string expected;
    for (const auto row : ui::symbol_rows()) {
        for (const auto key : ui::split_keys(row)) {
            kiosk.touch(std::string(key));
            expected += key;
        }
    }
    kiosk.touch("ABC");
    kiosk.touch("a");
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), expected + "a");
    // With '-' on the digit row and '@' '.' on the bottom row: all 32 ASCII symbols.
    EXPECT_EQ(expected.size(), 29u);
}

TEST(Keyboard, PolishAltGrTypesDiacriticsAndBackspaceErasesAWholeLetter) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify, "pl"));
    EXPECT_NE(kiosk.control("EN"), nullptr)
        << "a Polish person's keyboard is the Polish one, the layout key offers English";
    kiosk.touch("ą ę");
    ASSERT_NE(kiosk.control("ż"), nullptr) << "AltGr shows the diacritics on their keys";
    kiosk.touch("ż");
    EXPECT_NE(kiosk.control("z"), nullptr) << "AltGr is for one letter";
    kiosk.touch("ą ę");
    kiosk.touch("ó");
    kiosk.touch("Shift");
    kiosk.touch("ą ę");
    kiosk.touch("Ł");
    kiosk.touch("ą ę");
    kiosk.touch("ź"); // on X, as on the programmer's layout
    kiosk.touch("ą ę");
    kiosk.touch("ć");
    kiosk.touch(kiosk.label("keyboard.backspace")); // ć is two bytes: both go
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), "żóŁź");
}

TEST(Keyboard, TheLayoutKeyCyclesAndLatinIsFirstForIdentifiers) {
    Kiosk kiosk;
    // A Russian person's username is Latin: identify opens on the English layout, and the
    // layout key offers Russian back.
    kiosk.show(screen(app::Screen::Identify, "ru"));
    ASSERT_NE(kiosk.control("q"), nullptr);
    kiosk.touch("RU");
    ASSERT_NE(kiosk.control("й"), nullptr);
    kiosk.touch_all({"Shift", "Ж", "у", "к"});
    kiosk.touch("PL"); // after Russian (own) and English come the others
    kiosk.touch("HE");
    ASSERT_NE(kiosk.control("ש"), nullptr);
    EXPECT_EQ(kiosk.control("Shift"), nullptr) << "Hebrew has no capitals";
    kiosk.touch_all({"ש", "ל"});
    kiosk.touch("EN"); // round to the start
    kiosk.touch("x");
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), "Жукשלx");
}

TEST(Keyboard, PasswordFieldsOpenOnTheOwnLayoutAndNextMovesToTheConfirmation) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::NewPassword, "he"));
    ASSERT_NE(kiosk.control("ש"), nullptr) << "a password starts on the person's own layout";
    kiosk.touch_all({"ש", "ל", "ו", "ם", "1"});
    ASSERT_NE(kiosk.control(kiosk.label("keyboard.next")), nullptr);
    kiosk.touch(kiosk.label("keyboard.next"));
    ASSERT_NE(kiosk.control(kiosk.label("keyboard.done")), nullptr)
        << "the keys now type into the confirmation, the last field";
    kiosk.touch_all({"ש", "ל", "ו", "ם", "2"});
    kiosk.touch(kiosk.label("keyboard.done"));
    const auto sent = kiosk.sent<app::intent::SubmitNewPassword>();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].password.view(), "שלום1");
    EXPECT_EQ(sent[0].confirmation.view(), "שלום2");
}

TEST(Keyboard, APhysicalKeyboardCarriesOnAfterTheKeys) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify));
    kiosk.type("jd");  // the field has the caret from the start
    kiosk.touch("o");  // then a touch
    kiosk.type("e.x"); // the caret came back to the field, at the end
    kiosk.touch(kiosk.label("keyboard.backspace"));
    kiosk.type("y");
    kiosk.touch(kiosk.label("keyboard.done"));
    EXPECT_EQ(submitted_identifier(kiosk), "jdoe.y");
}

TEST(Keyboard, TheCodeKeypadTypesDigitsAndStopsAtTheCodeLength) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::EnterCode));
    EXPECT_EQ(kiosk.control("q"), nullptr) << "a code gets the keypad, not letters";
    kiosk.touch_all({"4", "0", "7", "1", "9", "2", "5"}); // one too many
    kiosk.touch(kiosk.label("keyboard.backspace"));
    kiosk.touch("3");
    kiosk.touch(kiosk.label("keyboard.done"));
    const auto sent = kiosk.sent<app::intent::SubmitCode>();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].code.view(), "407193");
}

TEST(Keyboard, TheKeypadIsNotMirroredInHebrew) {
    for (const char* language : {"en", "he"}) {
        SCOPED_TRACE(language);
        Kiosk kiosk;
        kiosk.show(screen(app::Screen::EnterCode, language));
        const auto* one = kiosk.control("1");
        const auto* two = kiosk.control("2");
        const auto* three = kiosk.control("3");
        const auto* four = kiosk.control("4");
        const auto* zero = kiosk.control("0");
        ASSERT_TRUE(one && two && three && four && zero);
        EXPECT_LT(one->right, two->left);
        EXPECT_LT(two->right, three->left);
        EXPECT_LT(one->bottom, four->top) << "1 2 3 on top, telephone order";
        EXPECT_FLOAT_EQ(zero->left, two->left);
        // Erase and OK trade places in Hebrew, as the reading order does.
        const auto* erase = kiosk.control(kiosk.label("keyboard.backspace"));
        const auto* ok = kiosk.control(kiosk.label("keyboard.done"));
        ASSERT_TRUE(erase && ok);
        EXPECT_EQ(erase->left < zero->left, std::string(language) == "en");
        EXPECT_EQ(ok->left > zero->left, std::string(language) == "en");
    }
}

TEST(Keyboard, HebrewKeysKeepTheirPhysicalOrder) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::NewPassword, "he"));
    // Q W E R … on the Israeli layout: / ' ק ר א ט …, from the left.
    const auto* q = kiosk.control("/");
    const auto* e = kiosk.control("ק");
    const auto* r = kiosk.control("ר");
    const auto* a = kiosk.control("ש");
    ASSERT_TRUE(q && e && r && a);
    EXPECT_LT(q->right, e->left);
    EXPECT_LT(e->right, r->left);
    EXPECT_LT(q->bottom, a->top);
}

TEST(Keyboard, KeysAreAtLeast48PixelsAt1080pAlsoInLargeText) {
    for (const bool large : {false, true}) {
        for (const auto which :
             {app::Screen::Identify, app::Screen::NewPassword, app::Screen::EnterCode}) {
            SCOPED_TRACE(std::string(large ? "large " : "regular ") +
                         std::to_string(static_cast<int>(which)));
            Kiosk kiosk(ImVec2(1920, 1080));
            auto view = screen(which, "ru");
            view.large_text = large;
            kiosk.show(view);
            const auto* key = kiosk.control("5");
            ASSERT_NE(key, nullptr);
            EXPECT_GE(key->bottom - key->top, 48.0f);
            EXPECT_GE(key->right - key->left, 48.0f);
            // Nothing of the keyboard is cut off at the bottom of the screen.
            for (const auto& c : kiosk.controls()) {
                EXPECT_LE(c.bottom, 1080.0f) << c.label;
            }
        }
    }
}

TEST(Keyboard, TheFontAtlasHasEveryKeyOfEveryLayout) {
    Kiosk kiosk;
    std::vector<std::string_view> keys;
    for (const auto& layout : ui::keyboard_layouts()) {
        for (const auto& rows : {layout.lower, layout.upper}) {
            for (const auto row : rows) {
                const auto split = ui::split_keys(row);
                keys.insert(keys.end(), split.begin(), split.end());
            }
        }
        for (const auto row : {layout.altgr_lower, layout.altgr_upper}) {
            const auto split = ui::split_keys(row);
            keys.insert(keys.end(), split.begin(), split.end());
        }
        keys.push_back(layout.letters_label);
        keys.push_back(layout.switch_label);
    }
    for (const auto row : ui::symbol_rows()) {
        const auto split = ui::split_keys(row);
        keys.insert(keys.end(), split.begin(), split.end());
    }
    ASSERT_GT(keys.size(), 150u);
    for (const auto key : keys) {
        const std::string text(key);
        const char* s = text.c_str();
        while (*s != 0) {
            unsigned int cp = 0;
            s += ImTextCharFromUtf8(&cp, s, nullptr);
            for (ImFont* font : {kiosk.fonts().regular.body, kiosk.fonts().large.body}) {
                EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(cp)), nullptr)
                    << text << ": U+" << std::hex << cp << " would draw as '?'";
            }
        }
    }
}

TEST(Keyboard, KeepsNoCopyOfWhatWasTypedIntoAPassword) {
    // A keyboard on a page of its own, typed on by touch into a secret field; then its bytes
    // are searched for what was typed. The marker is short enough to sit inside a
    // std::string member, should anyone ever give the keyboard a "last keys" history.
    Kiosk kiosk; // for the ImGui context and fonts
    ui::OnScreenKeyboard keyboard;
    std::vector<ui::Control> controls;
    std::array<char, 64> password{};
    const auto frame = [&] {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        ImGui::NewFrame();
        controls.clear();
        keyboard.begin_frame("en", {});
        const ui::Widgets widgets(kiosk.fonts().regular, ui::palette(false), false, &controls,
                                  nullptr, &keyboard);
        widgets.begin_page("page", "brand");
        widgets.text_field("##secret", "Password", password.data(), password.size(),
                           {.secret = true});
        widgets.end_page();
        ImGui::Render();
    };
    frame();
    ImGuiIO& io = ImGui::GetIO();
    for (const char* key : {"z", "q", "x", "j", "w", "v"}) {
        const auto it = std::find_if(controls.begin(), controls.end(),
                                     [&](const ui::Control& c) { return c.label == key; });
        ASSERT_NE(it, controls.end()) << key;
        for (const bool down : {false, true, false, false}) {
            io.MousePos = ImVec2((it->left + it->right) / 2, (it->top + it->bottom) / 2);
            io.MouseDown[0] = down;
            frame();
        }
    }
    ASSERT_EQ(std::string_view(password.data()), "zqxjwv") << "the keys typed into the field";
    const std::string_view bytes(reinterpret_cast<const char*>(&keyboard), sizeof keyboard);
    EXPECT_EQ(bytes.find("zqx"), std::string_view::npos);
    EXPECT_EQ(bytes.find('v'), std::string_view::npos) << "not even the last key";
}

// Dear ImGui edits left to right; in Hebrew the field's text is drawn by the widgets in
// visual order, right-aligned, with the caret after the last letter typed: on its left.
TEST(Keyboard, HebrewTypedInAFieldIsDrawnRightToLeftWithTheCaretAtItsLeftEnd) {
    Kiosk kiosk;
    app::ViewModel view = screen(app::Screen::Ticket, "he");
    kiosk.show(view);
    kiosk.touch_all({"ש", "ל", "ו", "ם"}); // shalom, on the on-screen keys
    const ui::FieldView* field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr) << "the description is drawn by the widgets in Hebrew";
    EXPECT_EQ(field->shown, "םולש") << "final mem first from the left";
    EXPECT_TRUE(field->caret);
    EXPECT_NEAR(field->caret_x, field->text_left, 1.0f) << "the caret follows the last letter";
    const float pad = ImGui::GetStyle().FramePadding.x;
    EXPECT_NEAR(field->text_right, field->field_right - pad, 1.0f) << "right-aligned";
    EXPECT_GT(field->text_left, field->field_left + pad) << "short text does not fill the field";

    // A physical keyboard goes on at the caret: a Latin word and digits after it read
    // left to right, on the left of the Hebrew (the end of a right-to-left line).
    kiosk.type(" VPN 42");
    field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->shown, "VPN 42 םולש");
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[io.KeyMap[ImGuiKey_Home]] = true;
    kiosk.frames(1);
    io.KeysDown[io.KeyMap[ImGuiKey_Home]] = false;
    kiosk.frames(1);
    field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    EXPECT_NEAR(field->caret_x, field->text_right, 1.0f) << "Home: before the first letter, "
                                                         << "at the line's right end";
    kiosk.touch(kiosk.label("keyboard.done"));
}

// Dear ImGui edits the logical text, laid out left to right where nobody sees it: a touch
// on the Hebrew a person sees puts the caret where they touched, not where the invisible
// text had that letter.
TEST(Keyboard, TouchingHebrewTextPutsTheCaretWhereTheFingerIs) {
    Kiosk kiosk;
    app::ViewModel view = screen(app::Screen::Ticket, "he");
    kiosk.show(view);
    kiosk.touch_all({"ש", "ל", "ו", "ם"});
    const ui::FieldView* field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    const float middle = (field->field_top + field->field_bottom) / 2;

    // The right end of a right-to-left word is its start.
    kiosk.touch_at(field->text_right - 2.0f, middle);
    field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    EXPECT_NEAR(field->caret_x, field->text_right, 1.0f) << "the caret is where the finger is";
    kiosk.type("א");
    field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->shown, "םולשא") << "typed before the first letter";

    // Its left end is its end; between two letters is between them.
    kiosk.touch_at(field->text_left + 2.0f, middle);
    kiosk.type("ב");
    field = kiosk.field("##ticket-description");
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->shown, "בםולשא") << "typed after the last letter";
    kiosk.touch(kiosk.label("keyboard.done"));
}

TEST(Keyboard, AnIdentifierTypedInHebrewReadsLeftToRightAndPasswordsStayMasked) {
    Kiosk kiosk;
    kiosk.show(screen(app::Screen::Identify, "he"));
    kiosk.type("jdoe@");
    const ui::FieldView* field = kiosk.field("##identifier");
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->shown, "jdoe@") << "an address being typed keeps its order";
    EXPECT_NEAR(field->caret_x, field->text_right, 1.0f);
    kiosk.type("דוגמה.il"); // a Hebrew domain inside a Latin address
    field = kiosk.field("##identifier");
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->shown, "jdoe@המגוד.il");

    kiosk.show(screen(app::Screen::NewPassword, "he"));
    kiosk.type("סודי");
    for (const auto& f : {"##password", "##confirmation"}) {
        EXPECT_EQ(kiosk.field(f), nullptr) << f << ": secret fields are Dear ImGui's dots";
    }
}
