// The screens drawn by Dear ImGui with no window (its draw lists are built and never shown):
// a person presses buttons by their labels, and the screens report the intents the session
// acts on; every character of every catalog is in the font atlas.
#include "kiosk/assets/bidi.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/assets/utf8.hpp"
#include "kiosk/ui/screens.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <optional>

using namespace kiosk;

namespace {

class HeadlessUi {
public:
    HeadlessUi() : context_(ImGui::CreateContext()) {
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        // Dear ImGui 1.86 reads keys through a map the backend fills; these stand in for GLFW's.
        for (int k = 0; k < ImGuiKey_COUNT; ++k) {
            io.KeyMap[k] = k + 1;
        }
        fonts_ = ui::apply_theme(assets::find_ui_fonts(), 800.0f);
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height); // builds the atlas
        std::string error;
        catalogs_ = assets::Catalogs::load_shipped(error);
        if (!catalogs_) {
            throw std::runtime_error(error);
        }
        screens_ = std::make_unique<ui::KioskScreens>(*catalogs_, fonts_);
    }
    ~HeadlessUi() {
        screens_.reset();
        ImGui::DestroyContext(context_);
    }
    HeadlessUi(const HeadlessUi&) = delete;
    HeadlessUi& operator=(const HeadlessUi&) = delete;

    std::vector<app::Intent> frame(const app::ViewModel& view) {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        ImGui::NewFrame();
        auto intents = screens_->draw(view);
        ImGui::Render();
        return intents;
    }

    // Touches the control labelled `label` (drawn in the last frame) and lifts the finger,
    // as a touch screen reports it; returns every intent of those frames.
    std::vector<app::Intent> touch(const app::ViewModel& view, const std::string& label) {
        const auto& controls = screens_->controls();
        const auto it = std::find_if(controls.begin(), controls.end(),
                                     [&](const ui::Control& c) { return c.label == label; });
        if (it == controls.end()) {
            ADD_FAILURE() << "no control labelled " << label;
            return {};
        }
        return touch_at(view, (it->left + it->right) / 2, (it->top + it->bottom) / 2);
    }

    std::vector<app::Intent> touch_at(const app::ViewModel& view, float x, float y) {
        ImGuiIO& io = ImGui::GetIO();
        std::vector<app::Intent> all;
        for (const bool down : {false, true, false, false}) {
            io.MousePos = ImVec2(x, y);
            io.MouseDown[0] = down;
            auto intents = frame(view);
            all.insert(all.end(), intents.begin(), intents.end());
        }
        return all;
    }

    [[nodiscard]] const ui::Control* control(const std::string& label) const {
        for (const auto& c : screens_->controls()) {
            if (c.label == label) {
                return &c;
            }
        }
        return nullptr;
    }
    [[nodiscard]] const ui::FontSets& fonts() const { return fonts_; }
    [[nodiscard]] const ui::KioskScreens& screens() const { return *screens_; }
    // Presses and releases a key of a physical keyboard.
    void key(const app::ViewModel& view, ImGuiKey key) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[io.KeyMap[key]] = true;
        frame(view);
        io.KeysDown[io.KeyMap[key]] = false;
        frame(view);
        frame(view);
    }
    // Types into the focused field as a physical keyboard would.
    void type(const app::ViewModel& view, const std::string& text) {
        ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
        frame(view);
        frame(view);
    }
    [[nodiscard]] const assets::Catalogs& catalogs() const { return *catalogs_; }

private:
    ImGuiContext* context_;
    ui::FontSets fonts_;
    std::optional<assets::Catalogs> catalogs_;
    std::unique_ptr<ui::KioskScreens> screens_;
};

template <typename T> std::vector<T> of_type(const std::vector<app::Intent>& intents) {
    std::vector<T> out;
    for (const auto& intent : intents) {
        if (const auto* i = std::get_if<T>(&intent)) {
            out.push_back(*i);
        }
    }
    return out;
}

// Code points of a UTF-8 string.
std::vector<char32_t> code_points(const std::string& text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        out.push_back(assets::next_code_point(text, i));
    }
    return out;
}

} // namespace

TEST(Screens, TheFontAtlasHasEveryCharacterOfEveryCatalog) {
    HeadlessUi ui;
    for (const auto& language : ui.catalogs().languages()) {
        const auto& catalog = ui.catalogs().of(language);
        for (const auto& key : catalog.keys()) {
            for (char32_t cp : code_points(catalog.plural(key, 5))) {
                if (cp == U'\n' || assets::is_bidi_control(cp)) { // steer the order, never drawn
                    continue;
                }
                for (ImFont* font :
                     {ui.fonts().regular.body, ui.fonts().regular.title,
                      ui.fonts().regular.headline, ui.fonts().large.body, ui.fonts().large.title}) {
                    EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(cp)), nullptr)
                        << language << " " << key << ": U+" << std::hex << static_cast<unsigned>(cp)
                        << " would draw as '?'";
                }
            }
        }
    }
}

TEST(Screens, AttractOffersEachLanguageInItsOwnNameAndChoosingOneDoesNotStart) {
    HeadlessUi ui;
    app::ViewModel view;
    ui.frame(view);
    for (const char* name : {"English", "Polski", "Русский", "עברית"}) {
        EXPECT_NE(ui.control(name), nullptr) << name;
    }
    const auto intents = ui.touch(view, "Polski");
    const auto chosen = of_type<app::intent::ChooseLanguage>(intents);
    ASSERT_EQ(chosen.size(), 1u);
    EXPECT_EQ(chosen[0].language, "pl");
    EXPECT_TRUE(of_type<app::intent::Start>(intents).empty()) << "a language button is no start";

    view.language = "pl";
    ui.frame(view);
    EXPECT_NE(ui.control("Dotknij, aby rozpocząć"), nullptr) << "the start button in Polish";
    EXPECT_EQ(ui.control("Touch to start"), nullptr);
    EXPECT_FALSE(of_type<app::intent::SetLargeText>(ui.touch(view, "Duży tekst")).empty());
    EXPECT_FALSE(of_type<app::intent::SetHighContrast>(ui.touch(view, "Wysoki kontrast")).empty());
}

TEST(Screens, ATouchAwayFromTheControlsStarts) {
    HeadlessUi ui;
    app::ViewModel view;
    ui.frame(view);
    const auto intents = ui.touch_at(view, 20, 780); // bottom-left corner, no control there
    EXPECT_EQ(of_type<app::intent::Start>(intents).size(), 1u);
}

TEST(Screens, HebrewIsMirrored) {
    HeadlessUi ui;
    app::ViewModel view;
    view.language = "he";
    ui.frame(view);
    const auto* english = ui.control("English");
    const auto* hebrew = ui.control("עברית");
    ASSERT_NE(english, nullptr);
    ASSERT_NE(hebrew, nullptr);
    EXPECT_GT(english->left, hebrew->left) << "the first language sits on the right";

    view.screen = app::Screen::EnterCode;
    ui.frame(view);
    const auto* forward = ui.control(ui.catalogs().of("he").text("code.continue"));
    const auto* back = ui.control(ui.catalogs().of("he").text("common.cancel"));
    ASSERT_NE(forward, nullptr);
    ASSERT_NE(back, nullptr);
    EXPECT_LT(forward->left, back->left) << "forward on the left, back on the right";

    view.language = "en";
    ui.frame(view);
    EXPECT_GT(ui.control("Check the code")->left, ui.control("Cancel")->left);
}

TEST(Screens, ButtonsOnTheFlowSendTheirIntents) {
    HeadlessUi ui;
    app::ViewModel view;
    view.screen = app::Screen::Problem;
    view.problem = app::Problem::CodeExpired;
    view.language = "ru";
    ui.frame(view);
    ui.frame(view);
    EXPECT_EQ(of_type<app::intent::StartOver>(ui.touch(view, "Начать заново")).size(), 1u);
    EXPECT_EQ(of_type<app::intent::Finish>(ui.touch(view, "Готово")).size(), 1u);
}

// A request saved while the central is away gets the same checklist and strength meter as
// the online reset: the minimum length ticks as the person types, the confirmation's match
// when both agree, and Enter in the confirmation submits both.
TEST(Screens, TheOfflinePasswordPageChecksThePasswordAsItIsTyped) {
    HeadlessUi ui;
    app::ViewModel view;
    view.screen = app::Screen::OfflinePassword;
    view.identifier = "jdoe";
    view.min_password_length = 15;
    ui.frame(view);
    ui.frame(view);
    const auto& en = ui.catalogs().of("en");
    const auto mark = [&](const std::string& line) -> std::optional<ui::Mark> {
        for (const auto& drawn : ui.screens().checklist()) {
            if (drawn.text == line) {
                return drawn.mark;
            }
        }
        return std::nullopt;
    };
    const std::string length = en.plural("checklist.length", 15);
    EXPECT_EQ(mark(length), ui::Mark::Cross);
    EXPECT_EQ(mark(en.text("checklist.match")), ui::Mark::Cross);
    EXPECT_EQ(ui.screens().strength(), app::Strength::Empty);

    ui.type(view, "maple river lantern");
    EXPECT_EQ(mark(length), ui::Mark::Tick);
    EXPECT_EQ(mark(en.text("checklist.username")), ui::Mark::Tick);
    EXPECT_NE(ui.screens().strength(), app::Strength::Empty);

    ui.key(view, ImGuiKey_Enter); // Enter in the first field moves to the confirmation
    ui.type(view, "maple river lantern");
    EXPECT_EQ(mark(en.text("checklist.match")), ui::Mark::Tick);
    const auto submitted = of_type<app::intent::SubmitOfflinePassword>(
        ui.touch(view, en.text("offline.password.submit")));
    ASSERT_EQ(submitted.size(), 1u);
    EXPECT_EQ(submitted[0].password.view(), "maple river lantern");
    EXPECT_EQ(submitted[0].confirmation.view(), "maple river lantern");
}

// The page column's scroll range, 0 when the page fits above the keyboard. (Dear ImGui's
// internals: a scroll bar is what a person would see of a page that does not fit.)
float column_overflow() {
    for (const ImGuiWindow* window : GImGui->Windows) {
        if ((window->Flags & ImGuiWindowFlags_ChildWindow) != 0 && window->Active &&
            std::string_view(window->Name).find("column") != std::string_view::npos) {
            return window->ScrollMax.y;
        }
    }
    ADD_FAILURE() << "no page column was drawn";
    return 0;
}

// Large text, high contrast's borders and the keypad up leave a 1280x800 screen little room:
// the crowded pages must still fit whole, their last buttons above the keys, in both
// directions, rather than hide part of themselves behind a scroll bar.
TEST(Screens, CrowdedPagesFitAboveTheKeyboardInLargeTextAndHighContrast) {
    HeadlessUi ui;
    for (const std::string language : {"en", "he"}) {
        SCOPED_TRACE(language);
        const auto& catalog = ui.catalogs().of(language);
        app::ViewModel code;
        code.language = language;
        code.screen = app::Screen::EnterCode;
        code.notice = app::Notice::WrongCode;
        code.attempts_left = 1;
        code.large_text = true;
        code.high_contrast = true;
        code.methods = {{"email", "j\u2022\u2022\u2022@example.com"}, {"sms", "\u2022\u202201"}};
        code.method = "email";
        code.code_hint = code.methods[0].hint;
        code.resend_seconds_left = 15;
        app::ViewModel password = code;
        password.screen = app::Screen::NewPassword;
        password.notice = app::Notice::PasswordTooShort;
        password.min_password_length = 15;
        for (const auto& [view, last_button] :
             {std::pair{code, catalog.text("verify.other_method")},
              std::pair{password, catalog.text("common.cancel")}}) {
            for (int frame = 0; frame < 12; ++frame) { // measure, leave out, measure again
                ui.frame(view);
            }
            EXPECT_LE(column_overflow(), 0.0f) << "a scroll bar on " << last_button << "'s page";
            const ui::Control* button = ui.control(last_button);
            const ui::Control* top_key = ui.control("1"); // both keyboards start with digits
            ASSERT_NE(button, nullptr) << last_button;
            ASSERT_NE(top_key, nullptr);
            EXPECT_LE(button->bottom, top_key->top) << last_button << " is under the keys";
        }
    }
}

TEST(Screens, TheFontAtlasStaysWithinItsMemoryBudget) {
    // Four scripts at five sizes: oversampling or whole Unicode blocks would double this,
    // and under Mesa's llvmpipe the texture is process memory too.
    HeadlessUi ui;
    const ImGuiIO& io = ImGui::GetIO();
    const long pixels = static_cast<long>(io.Fonts->TexWidth) * io.Fonts->TexHeight;
    EXPECT_LE(pixels, 1024L * 2048L) << io.Fonts->TexWidth << " x " << io.Fonts->TexHeight;
}
