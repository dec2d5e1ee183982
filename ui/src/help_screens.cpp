// The help, ticket and feedback screens, and the receipt's row of stars. Like the other
// screens they only read the view model and report intents (app/src/flows/help.cpp,
// ticket.cpp and feedback.cpp decide what happens). The FAQ search runs here, as the person
// types, through app::faq_matches().
#include "kiosk/app/help.hpp"
#include "kiosk/assets/bidi.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/ui/screens.hpp"

#include <algorithm>
#include <imgui.h>

namespace kiosk::ui {
namespace {

// At most this many matching questions show at once: more would shrink the page's text
// below what a person at arm's length reads. A count says how many more a word would narrow.
constexpr int kQuestionsShown = 3;
constexpr int kQuestionsWhileSearching = 3; // above the on-screen keyboard
// Built-in help: "help.faq.1.q" / "help.faq.1.a" … in every catalog, up to this many.
constexpr int kMaxBuiltInQuestions = 20;

constexpr const char* kCategories[] = {"password", "unlock", "access", "hardware", "other"};
constexpr const char* kContacts[] = {"email", "phone", "none"};

template <std::size_t N> std::string_view typed(const std::array<char, N>& b) {
    return {b.data()};
}

std::vector<app::FaqEntry> faq_for(const app::ViewModel& view, const assets::Catalog& catalog) {
    if (const auto it = view.help.faq.find(view.language);
        it != view.help.faq.end() && !it->second.empty()) {
        return it->second;
    }
    std::vector<app::FaqEntry> built_in;
    for (int n = 1; n <= kMaxBuiltInQuestions; ++n) {
        const std::string key = "help.faq." + std::to_string(n);
        if (!catalog.contains(key + ".q") || !catalog.contains(key + ".a")) {
            break;
        }
        built_in.push_back({catalog.text(key + ".q"), catalog.text(key + ".a")});
    }
    return built_in;
}

bool enter_on_focused_item() {
    return ImGui::IsItemFocused() &&
           (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
            ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false));
}

} // namespace

void KioskScreens::wipe_help_inputs() {
    secure_wipe(search_.data(), search_.size());
    secure_wipe(description_.data(), description_.size());
    secure_wipe(contact_identifier_.data(), contact_identifier_.size());
    secure_wipe(comment_.data(), comment_.size());
    open_question_ = -1;
    searching_ = false;
    ticket_category_ = -1;
    ticket_step_ = 0;
    ticket_contact_ = 0;
    rating_ = 0;
}

bool KioskScreens::faq_question(int index, const std::string& question, bool open) {
    // One row of the FAQ table (see draw_help): the page's own wrapped text, so long
    // questions and right-to-left lines stay whole, with an invisible button over it.
    ImGui::PushID(index);
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0,
                           open ? ui_.colours().border : ui_.colours().secondary);
    const ImVec2 top = ImGui::GetCursorPos();
    const float width = ImGui::GetContentRegionAvail().x;
    ui_.title(question, open ? 0 : ui_.colours().primary);
    const float height = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y - top.y;
    ImGui::SetCursorPos(top);
    ImGui::InvisibleButton("question", ImVec2(width, std::max(height, 1.0f)));
    const bool pressed = ImGui::IsItemClicked(ImGuiMouseButton_Left) || enter_on_focused_item();
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    controls_.push_back({question, min.x, min.y, max.x, max.y});
    ImGui::PopID();
    return pressed;
}

void KioskScreens::draw_help(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("help", text("app.name"));
    ui_.title(text("help.title"));
    // The on-screen keyboard takes 40 % of the screen, so it shows only while the person
    // searches (they touched the field or typed); the contacts make room for it meanwhile.
    const std::size_t length_before = typed(search_).size();
    const bool done =
        ui_.text_field("##help-search", text("help.search"), search_.data(), search_.size(),
                       {.take_focus = focus_first_field_, .on_screen_keyboard = searching_});
    if (ImGui::IsItemClicked(ImGuiMouseButton_Left) || typed(search_).size() != length_before) {
        searching_ = true;
    }
    if (done) {
        searching_ = false; // Enter, or the keyboard's Done: the whole page again
    }
    focus_first_field_ = false;
    const auto entries = faq_for(view, *catalog_);
    const std::string_view query = typed(search_);
    int shown = 0;
    int more = 0;
    const float pad = ImGui::GetFontSize() * 0.45f;
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(pad, pad));
    ImGui::PushStyleColor(ImGuiCol_TableBorderLight,
                          ImGui::ColorConvertU32ToFloat4(ui_.colours().background));
    const bool table = ImGui::BeginTable("faq", 1, ImGuiTableFlags_BordersInnerH);
    for (int i = 0; table && i < static_cast<int>(entries.size()); ++i) {
        const auto& entry = entries[static_cast<std::size_t>(i)];
        if (!app::faq_matches(entry, query)) {
            continue;
        }
        if (shown == (searching_ ? kQuestionsWhileSearching : kQuestionsShown)) {
            ++more;
            continue;
        }
        ++shown;
        const bool open = i == open_question_;
        if (faq_question(i, entry.question, open)) {
            open_question_ = open ? -1 : i;
            searching_ = false;
        }
        if (i == open_question_) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ui_.paragraph(entry.answer);
        }
    }
    if (table) {
        ImGui::EndTable();
    }
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    if (shown == 0) {
        ui_.muted(text(entries.empty() ? "help.no_questions" : "help.no_match"));
    } else if (more > 0) {
        ui_.muted(catalog_->plural("help.more", more));
    }

    // Support contacts: only what the configuration gives.
    const auto hours = view.help.opening_hours.find(view.language);
    const bool any_contact =
        !searching_ && (!view.help.phone.empty() || !view.help.email.empty() ||
                        hours != view.help.opening_hours.end() || !view.help.chat_url.empty());
    if (any_contact) {
        ui_.vertical_space(0.4f);
        ui_.title(text("help.contacts"));
        // The contacts on one wrapped line: the page must fit a small screen in every language.
        std::string contacts;
        // A phone number and an address read left to right in every language: in a Hebrew
        // line the number's digit groups would otherwise be laid out right to left.
        auto add = [&](const char* key, const std::string& value, bool left_to_right) {
            if (!value.empty()) {
                contacts += (contacts.empty() ? "" : " · ") + text(key) + ": " +
                            (left_to_right ? assets::left_to_right_isolate(value) : value);
            }
        };
        add("help.phone", view.help.phone, true);
        add("help.email", view.help.email, true);
        if (hours != view.help.opening_hours.end()) {
            add("help.hours", hours->second, false);
        }
        // The contacts are the QR code's caption: side by side, the page fits 1280x800 at
        // full size and 800x480 without scrolling.
        if (view.help.chat_url.empty() ||
            !ui_.qr_code(view.help.chat_url, ImGui::GetFontSize() * 5.0f,
                         text("help.qr") + "\n" + contacts)) {
            ui_.muted(contacts);
        }
    }
    ui_.vertical_space(0.5f);
    // Back, the ticket and Finish in one row, in reading order.
    std::vector<std::string> row = {text("common.back")};
    if (view.ticket_offered) {
        row.push_back(text("help.ticket"));
    }
    row.push_back(text("done.finish"));
    const int pressed = ui_.choice_row("help-actions", row, static_cast<int>(row.size()) - 1);
    if (pressed == static_cast<int>(row.size()) - 1) {
        out.emplace_back(app::intent::Finish{});
    } else if (pressed == 0) {
        out.emplace_back(app::intent::BackToHome{});
    } else if (pressed == 1) {
        out.emplace_back(app::intent::ChooseFlow{app::Flow::Ticket});
    }
    ui_.end_page();
}

void KioskScreens::draw_ticket(const app::ViewModel& view, std::vector<app::Intent>& out) {
    // Two steps, so each fits above the on-screen keyboard: what is wrong (category and
    // description), then how to be reached. The session checks the request when sent.
    ui_.begin_page("ticket", text("app.name"));
    ui_.title(text("ticket.title"));
    auto submit = [&] {
        app::intent::SubmitTicket request;
        request.category = ticket_category_ >= 0 ? kCategories[ticket_category_] : "";
        request.description = std::string(typed(description_));
        request.contact_preference = kContacts[ticket_contact_];
        request.identifier = std::string(typed(contact_identifier_));
        out.emplace_back(std::move(request));
    };
    const bool problem_step = ticket_step_ == 0 || view.notice == app::Notice::DescriptionEmpty ||
                              view.notice == app::Notice::CategoryMissing;
    if (problem_step) {
        ticket_step_ = 0;
        ui_.muted(text("ticket.category"));
        std::vector<std::string> categories;
        for (const char* c : kCategories) {
            categories.push_back(text(std::string("ticket.category.") + c));
        }
        if (const int chosen = ui_.choice_row("categories", categories, ticket_category_);
            chosen >= 0 && !view.busy) {
            ticket_category_ = chosen;
        }
        ui_.vertical_space(0.2f);
        const bool entered = ui_.text_field(
            "##ticket-description", text("ticket.description"), description_.data(),
            description_.size(), {.take_focus = focus_first_field_, .enabled = !view.busy});
        focus_first_field_ = false;
        draw_notice(view);
        ui_.vertical_space(0.3f);
        const auto pressed =
            ui_.button_row(text("identify.continue"), text("common.back"), !view.busy);
        if (pressed == RowPress::Forward || entered) {
            const auto description = typed(description_);
            if (ticket_category_ >= 0 &&
                description.find_first_not_of(" \t") != std::string_view::npos) {
                ticket_step_ = 1;
                focus_first_field_ = true;
            } else {
                submit(); // refused with the notice that says what is missing
            }
        } else if (pressed == RowPress::Back) {
            out.emplace_back(app::intent::BackToHome{});
        }
        ui_.end_page();
        return;
    }
    ui_.muted(text("ticket.contact"));
    std::vector<std::string> contacts;
    for (const char* c : kContacts) {
        contacts.push_back(text(std::string("ticket.contact.") + c));
    }
    if (const int chosen = ui_.choice_row("contact", contacts, ticket_contact_);
        chosen >= 0 && !view.busy) {
        ticket_contact_ = chosen;
    }
    const bool entered =
        ui_.text_field("##ticket-identifier", text("ticket.identifier"), contact_identifier_.data(),
                       contact_identifier_.size(),
                       {.take_focus = focus_first_field_, .enabled = !view.busy, .latin = true});
    focus_first_field_ = false;
    draw_notice(view);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    ui_.vertical_space(0.3f);
    const auto pressed = ui_.button_row(text("ticket.submit"), text("common.back"), !view.busy);
    if (pressed == RowPress::Forward || (entered && !view.busy)) {
        submit();
    } else if (pressed == RowPress::Back) {
        ticket_step_ = 0;
        focus_first_field_ = true;
    }
    ui_.end_page();
}

void KioskScreens::draw_rating_row(const app::ViewModel& view, std::vector<app::Intent>& out) {
    if (!view.feedback_offered) {
        return;
    }
    ui_.vertical_space(0.5f);
    ui_.muted(text("feedback.ask"));
    const std::vector<std::string> stars = {"1", "2", "3", "4", "5"};
    if (const int chosen = ui_.choice_row("rating", stars, -1); chosen >= 0) {
        out.emplace_back(app::intent::Rate{chosen + 1});
    }
}

void KioskScreens::draw_feedback(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("feedback", text("app.name"));
    ui_.title(text("feedback.title"));
    const int rating = rating_ > 0 ? rating_ : view.rating;
    const std::vector<std::string> stars = {"1", "2", "3", "4", "5"};
    if (const int chosen = ui_.choice_row("rating", stars, rating - 1); chosen >= 0) {
        rating_ = chosen + 1;
    }
    ui_.muted(text("feedback.scale"));
    ui_.vertical_space(0.3f);
    const bool entered =
        ui_.text_field("##feedback-comment", text("feedback.comment"), comment_.data(),
                       comment_.size(), {.take_focus = focus_first_field_});
    focus_first_field_ = false;
    ui_.vertical_space(0.5f);
    const auto pressed = ui_.button_row(text("feedback.send"), text("feedback.skip"), true);
    if (pressed == RowPress::Forward || entered) {
        out.emplace_back(app::intent::SubmitFeedback{rating, std::string(typed(comment_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::Finish{});
    }
    ui_.end_page();
}

} // namespace kiosk::ui
