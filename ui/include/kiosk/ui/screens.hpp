// KioskScreens: draws the walk-up session's view model, one screen per app::Screen, in the
// language, text size and contrast the view model names, and returns the user's intents.
// Holds only what ImGui needs between frames (the text the user is typing), and wipes it
// whenever the screen changes or the session ends.
#pragma once

#include "kiosk/app/session.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/ui/badge_reader.hpp"
#include "kiosk/ui/keyboard.hpp"
#include "kiosk/ui/theme.hpp"
#include "kiosk/ui/widgets.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace kiosk::ui {

class KioskScreens {
public:
    // `catalogs` must outlive the screens.
    KioskScreens(const assets::Catalogs& catalogs, FontSets fonts);
    ~KioskScreens();
    KioskScreens(const KioskScreens&) = delete;
    KioskScreens& operator=(const KioskScreens&) = delete;

    // Call between ImGui::NewFrame() and ImGui::Render().
    std::vector<app::Intent> draw(const app::ViewModel& view);

    // Wipes every typed character: ours and Dear ImGui's copies.
    void wipe_inputs();

    // Whether the last frame changed the layout's own measurements (a page shrinking to fit
    // the screen): the next frame will look different, so draw it.
    [[nodiscard]] bool settling() const { return settling_; }

    // The buttons and check boxes of the last frame drawn.
    [[nodiscard]] const std::vector<Control>& controls() const { return controls_; }
    // The text fields of the last frame that were drawn in visual order (right to left).
    [[nodiscard]] const std::vector<FieldView>& fields() const { return fields_; }
    // [checklist] The password screen's checklist and strength as last drawn (no secret in
    // them): what a person sees change as they type.
    [[nodiscard]] const std::vector<CheckLine>& checklist() const { return checklist_; }
    [[nodiscard]] app::Strength strength() const { return strength_; }

private:
    void react_to_changes(const app::ViewModel& view);
    void draw_attract(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_home(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_account_status(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_identify(const app::ViewModel& view, std::vector<app::Intent>& out);
    // src/verify_screens.cpp: the method choice and the code, with its resend countdown.
    void draw_choose_method(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_enter_code(const app::ViewModel& view, std::vector<app::Intent>& out);
    [[nodiscard]] std::string method_label(const app::MethodChoice& choice) const;
    void draw_new_password(const app::ViewModel& view, std::vector<app::Intent>& out);
    // The new password and its confirmation with the show toggle, strength meter and
    // checklist: the online reset's, the activation's and the offline request's page.
    struct PasswordPage {
        const char* page_id;
        std::string title;
        std::string prompt;
        std::string submit;
        // The prompt only says what the checklist's first line says too: a page that does
        // not fit leaves it out before shrinking its text.
        bool prompt_can_go = true;
    };
    // True when the page being drawn did not fit at full size: it leaves out what it can
    // spare (a repeated prompt, spacing) and is measured again before its text shrinks.
    bool leave_out_spare_parts();
    // Forward when submitted (button or Enter in the confirmation), Back when cancelled.
    RowPress draw_password_page(const app::ViewModel& view, const PasswordPage& page);
    // [checklist] Under the password fields: the live checklist and the strength meter.
    // The meter shares the "show" toggle's row (the page must fit above the keyboard).
    void draw_password_checklist(const app::ViewModel& view);
    void draw_strength_meter(const app::ViewModel& view, float width);
    void draw_done(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_problem(const app::ViewModel& view, std::vector<app::Intent>& out);
    // src/offline_screens.cpp: saving a request for out-of-band confirmation.
    void draw_offline_offer(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_offline_password(const app::ViewModel& view, std::vector<app::Intent>& out);
    // src/help_screens.cpp: help (FAQ search, contacts, QR), ticket, feedback, and the
    // receipt's feedback row.
    void draw_help(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_ticket(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_feedback(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_rating_row(const app::ViewModel& view, std::vector<app::Intent>& out);
    // A FAQ question the person can open: its wrapped text, pressable; true when pressed.
    bool faq_question(int index, const std::string& question, bool open);
    void wipe_help_inputs();
    // [activation, contact] src/activation_screens.cpp: the activation code, the enrolment's
    // QR code and secret, its first code; the new contact details.
    void draw_activate_account(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_enrol_authenticator(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_confirm_authenticator(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_contact_details(const app::ViewModel& view, std::vector<app::Intent>& out);
    void wipe_activation_inputs();
    void draw_idle_overlay(const app::ViewModel& view, std::vector<app::Intent>& out);
    void draw_notice(const app::ViewModel& view);
    // A dot in the bottom corner for staff: green online, red offline, grey unknown.
    static void draw_central_mark(app::Reachability central);
    // The text of `key` in the person's language.
    [[nodiscard]] std::string text(std::string_view key) const { return catalog_->text(key); }

    const assets::Catalogs& catalogs_;
    FontSets fonts_;
    // This frame's language and look, chosen from the view model at the start of draw().
    const assets::Catalog* catalog_ = nullptr;
    Widgets ui_;
    std::vector<Control> controls_;
    std::vector<FieldView> fields_;
    float fit_ = 1.0f; // the page's text scale (see Widgets), for the layout below
    bool settling_ = false;
    bool changed_last_frame_ = false;
    bool spare_parts_left_out_ = false; // this page did not fit with them (see fit_)
    std::tuple<app::Screen, app::Notice, std::string, bool, bool, float> fitted_layout_;
    bool high_contrast_ = false; // the palette ImGui's style holds now
    float idle_card_height_ = 0; // measured last frame: the card fits its text

    std::array<char, 128> identifier_{};
    std::array<char, 16> code_{};
    std::array<char, 257> password_{}; // 256 characters accepted by the central, plus NUL
    std::array<char, 257> confirmation_{};
    bool show_password_ = false;
    std::vector<CheckLine> checklist_; // [checklist] last drawn; texts and marks only
    app::Strength strength_ = app::Strength::Empty;
    // [help, tickets, feedback] What is typed and chosen on those screens; wiped with the rest.
    std::array<char, 256> search_{};
    int open_question_ = -1; // the FAQ entry whose answer shows (index among all entries)
    bool searching_ = false; // the help search has the on-screen keyboard
    std::array<char, 1001> description_{};
    std::array<char, 128> contact_identifier_{};
    std::array<char, 1001> comment_{};
    int ticket_category_ = -1;
    int ticket_step_ = 0; // 0: category and description; 1: contact and send
    int ticket_contact_ = 0;
    int rating_ = 0; // on Feedback: 0 = the one chosen on the receipt
    // [activation, contact] Typed there; wiped with the rest. The enrolment's QR code is
    // encoded once per enrolment (its payload is the authenticator's secret) and wiped.
    std::array<char, 65> activation_code_{};
    std::array<char, 255> contact_email_{};
    std::array<char, 33> contact_phone_{};
    QrMatrix enrolment_qr_;
    bool focus_second_field_ = false;
    BadgeReader badge_;            // keyboard-wedge swipes, watched on every frame
    OnScreenKeyboard keyboard_;    // under every page with a text field (keyboard.hpp)
    bool badge_submitted_ = false; // this frame's identifier came from a swipe

    app::Screen shown_screen_ = app::Screen::Attract;
    app::Notice shown_notice_ = app::Notice::None;
    bool was_busy_ = false; // a refusal that follows a request means the fields are retyped
    bool focus_first_field_ = false;
    bool focus_confirmation_ = false;
};

} // namespace kiosk::ui
