// The help, ticket and feedback flows in the real screens with no window, and the
// session_ended events, against a real kiosk-central over TLS: a person presses buttons by
// their labels and types, and the test checks what reached the central (tickets, feedback,
// the reports' session counts) and what waited in the kiosk's real outbox meanwhile.
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/net/http_client.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk_certificate.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <imgui.h>
#include <nlohmann/json.hpp>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::filesystem::path fresh_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiosk-help-ui-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

template <typename Predicate> bool eventually(Predicate done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// The screens, a session and (optionally) the offline services, wired as the kiosk's
// frame loop wires them, one frame at a time.
class Rig {
public:
    // `kiosk_identity` (optional): the enrolled kiosk's client certificate, which the sync
    // worker presents so the central knows whose audit events arrive.
    Rig(const kiosk::testing::CentralProcess& central, app::SessionSettings settings,
        bool with_outbox, const kiosk::testing::EnrolledKiosk* kiosk_identity = nullptr)
        : context_(ImGui::CreateContext()), dir_(fresh_dir()),
          client_(central.base_url(), kiosk::testing::client_settings_for(central)) {
        if (with_outbox) {
            auto client = kiosk::testing::client_settings_for(central);
            if (kiosk_identity != nullptr) {
                client.client_certificate = kiosk_identity->certificate;
                client.client_key = kiosk_identity->key;
            }
            app::OfflineSettings offline;
            offline.outbox_file = dir_ / "outbox.db";
            offline.sealing_key_file = dir_ / "sealing-key.pem";
            offline.sync.base_backoff = 50ms;
            offline.sync.max_backoff = 300ms;
            offline.key_retry = 100ms;
            std::string error;
            offline_ = app::OfflineServices::open(central.base_url(), client, offline, error);
            if (!offline_) {
                throw std::runtime_error(error);
            }
        }
        session_ = std::make_unique<app::Session>(client_, worker_, inbox_, std::move(settings),
                                                  offline_.get());
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        for (int k = 0; k < ImGuiKey_COUNT; ++k) {
            io.KeyMap[k] = k + 1;
        }
        fonts_ = ui::apply_theme(assets::find_ui_fonts(), 800.0f);
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
        frame();
    }
    ~Rig() {
        screens_.reset();
        session_.reset();
        worker_.wait_idle();
        if (offline_) {
            offline_->stop();
        }
        offline_.reset();
        ImGui::DestroyContext(context_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    void frame() {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        ImGui::NewFrame();
        auto intents = screens_->draw(session_->view());
        ImGui::Render();
        for (auto& intent : intents) {
            session_->handle(std::move(intent), app::Clock::now());
        }
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_->view().busy);
    }
    // Frames until the page stops re-laying itself out (shrinking to fit above the
    // keyboard), as the kiosk's loop does, so controls are where a finger would find them.
    void settle_layout() {
        for (int i = 0; i < 20 && screens_->settling(); ++i) {
            frame();
        }
    }
    void frames(int n) {
        for (int i = 0; i < n; ++i) {
            frame();
        }
    }
    [[nodiscard]] bool shows(const std::string& label) const {
        const auto& controls = screens_->controls();
        return std::any_of(controls.begin(), controls.end(),
                           [&](const ui::Control& c) { return c.label == label; });
    }
    bool press(const std::string& label) {
        settle_layout();
        const auto& controls = screens_->controls();
        const auto it = std::find_if(controls.begin(), controls.end(),
                                     [&](const ui::Control& c) { return c.label == label; });
        if (it == controls.end()) {
            std::string seen;
            for (const auto& c : controls) {
                seen += " '" + c.label + "'";
            }
            ADD_FAILURE() << "no control labelled '" << label << "' on screen "
                          << static_cast<int>(session_->view().screen) << "; there are" << seen;
            return false;
        }
        ImGuiIO& io = ImGui::GetIO();
        if (std::getenv("HELP_UI_DEBUG") != nullptr) {
            fprintf(stderr, "press '%s' at %.0f,%.0f-%.0f,%.0f\n", label.c_str(), double(it->left),
                    double(it->top), double(it->right), double(it->bottom));
        }
        for (const bool down : {false, true, false}) {
            io.MousePos = ImVec2((it->left + it->right) / 2, (it->top + it->bottom) / 2);
            io.MouseDown[0] = down;
            frame();
        }
        io.MousePos = ImVec2(-1, -1);
        frames(2);
        return true;
    }
    [[nodiscard]] std::string label(std::string_view key) const {
        return catalogs_->of(session_->view().language).text(key);
    }
    bool press_key(std::string_view key) { return press(label(key)); }
    // Types on a physical keyboard into the field that has the caret.
    void type(const std::string& text) {
        ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
        frames(2);
    }
    void tab() {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[io.KeyMap[ImGuiKey_Tab]] = true;
        frame();
        io.KeysDown[io.KeyMap[ImGuiKey_Tab]] = false;
        frames(2);
    }
    // The user walks away: the session's clock jumps past the idle timeout.
    void walk_away() {
        session_->tick(app::Clock::now() + 1h);
        worker_.wait_idle();
        inbox_.drain();
        frames(2);
    }
    void settle() {
        worker_.wait_idle();
        inbox_.drain();
    }

    [[nodiscard]] const app::ViewModel& view() const { return session_->view(); }
    app::OfflineServices& offline() { return *offline_; }
    [[nodiscard]] const assets::Catalog& catalog(const std::string& language) const {
        return catalogs_->of(language);
    }

private:
    ImGuiContext* context_;
    std::filesystem::path dir_;
    net::CurlGlobal curl_;
    net::CentralClient client_;
    std::unique_ptr<app::OfflineServices> offline_;
    app::UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    app::BackgroundWorker worker_;
    std::unique_ptr<app::Session> session_;
    ui::FontSets fonts_;
    std::optional<assets::Catalogs> catalogs_;
    std::unique_ptr<ui::KioskScreens> screens_;
};

// GET `path` at the central, with the demo admin's token when `admin`.
std::optional<net::HttpResponse> get(const kiosk::testing::CentralProcess& central,
                                     const std::string& path, bool admin = false) {
    net::HttpsClient http(kiosk::testing::client_settings_for(central));
    std::vector<net::Header> headers;
    if (admin) {
        std::ifstream in(central.data_dir() / "admin-token");
        std::string token;
        std::getline(in, token);
        headers.emplace_back("Authorization", "Bearer " + token);
    }
    auto result = http.get(central.base_url() + path, headers);
    if (auto* response = std::get_if<net::HttpResponse>(&result)) {
        return std::move(*response);
    }
    return std::nullopt;
}

json report(const kiosk::testing::CentralProcess& central) {
    const auto response = get(central, "/v1/admin/reports", true);
    EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "");
    return response ? json::parse(response->body, nullptr, false) : json();
}

// The items waiting in the outbox for `route`, their bodies parsed.
std::vector<json> queued(app::OfflineServices& offline, const std::string& route) {
    std::vector<json> out;
    for (const auto& item : offline.outbox().next_batch(1000)) {
        if (item.route == route) {
            out.push_back(item.sealed ? json("sealed") : json::parse(item.body));
        }
    }
    return out;
}

// Why items were given up, for failure messages.
std::string dead_letters(app::OfflineServices& offline) {
    std::string out;
    for (const auto& item : offline.outbox().dead_letters(100)) {
        out += " " + item.route + ": " + item.dead_reason + " " + item.last_error + ";";
    }
    return out;
}

// Attract in `language_name` -> home -> help.
void open_help(Rig& rig, const std::string& language_name) {
    ASSERT_TRUE(rig.press(language_name));
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_EQ(rig.view().screen, app::Screen::Home);
    ASSERT_TRUE(rig.press_key("home.help"));
    ASSERT_EQ(rig.view().screen, app::Screen::Help);
}

// Home -> ticket: a description (its field has the caret when the screen opens), a
// category, then send.
void send_ticket(Rig& rig, const std::string& description) {
    ASSERT_TRUE(rig.press_key("home.ticket"));
    ASSERT_EQ(rig.view().screen, app::Screen::Ticket);
    rig.type(description);
    ASSERT_TRUE(rig.press_key("ticket.category.hardware"));
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_TRUE(rig.press_key("ticket.contact.email")) << "second step: how to be reached";
    rig.type("jdoe"); // who to reach; the field has the caret
    ASSERT_TRUE(rig.press_key("ticket.submit"));
}

} // namespace

// Typing filters the built-in FAQ as the person types, without case, in all four
// languages; the question opens its answer; nothing reaches the central.
TEST(HelpFlowsUi, SearchFindsAnEntryInEachLanguage) {
    kiosk::testing::CentralProcess central;
    app::SessionSettings settings;
    settings.help.chat_url = "https://chat.example.org/kiosk";
    settings.help.phone = "+48 22 123 45 67";
    Rig rig(central, settings, false);
    // In each language: the search word (typed in capitals where the script has them)
    // and the built-in question it must find, by its catalog key.
    const struct {
        const char* name;
        const char* language;
        const char* query;
        const char* found;
        const char* not_found;
    } cases[] = {
        {"English", "en", "LOCKED", "help.faq.2.q", "help.faq.1.q"},
        {"Polski", "pl", "KODU", "help.faq.3.q", "help.faq.2.q"},
        {"Русский", "ru", "ЗАБЛОКИРОВАНА", "help.faq.2.q", "help.faq.3.q"},
        {"עברית", "he", "נעול", "help.faq.2.q", "help.faq.1.q"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.language);
        open_help(rig, c.name);
        ASSERT_EQ(rig.view().language, c.language);
        const auto& catalog = rig.catalog(c.language);
        EXPECT_TRUE(rig.shows(catalog.text(c.found))) << "every question shows before a search";
        EXPECT_TRUE(rig.shows(catalog.text(c.not_found)));
        rig.type(c.query); // the search field has the caret when the screen opens
        EXPECT_TRUE(rig.shows(catalog.text(c.found))) << c.query;
        EXPECT_FALSE(rig.shows(catalog.text(c.not_found))) << c.query;
        ASSERT_TRUE(rig.press(catalog.text(c.found)));
        EXPECT_EQ(rig.view().screen, app::Screen::Help);
        ASSERT_TRUE(rig.press_key("done.finish"));
        ASSERT_EQ(rig.view().screen, app::Screen::Attract);
    }
}

// Config FAQ entries replace the built-in ones for their language.
TEST(HelpFlowsUi, ConfiguredQuestionsReplaceTheBuiltInOnes) {
    kiosk::testing::CentralProcess central;
    app::SessionSettings settings;
    settings.help.faq["en"] = {{"Where is the printer?", "Second floor, by the lifts."},
                               {"Wi-Fi password?", "Ask at reception."}};
    Rig rig(central, settings, false);
    open_help(rig, "English");
    EXPECT_TRUE(rig.shows("Where is the printer?"));
    EXPECT_FALSE(rig.shows(rig.label("help.faq.1.q")));
    rig.type("wi-fi");
    EXPECT_FALSE(rig.shows("Where is the printer?"));
    EXPECT_TRUE(rig.shows("Wi-Fi password?"));
}

// A ticket against the real central: the receipt shows the central's reference, its QR
// points at the configured follow-up URL, and the ticket exists at the central.
TEST(HelpFlowsUi, TicketReachesTheCentralAndTheReceiptShowsItsReference) {
    kiosk::testing::CentralProcess central;
    app::SessionSettings settings;
    settings.follow_up_url = "https://desk.example.org/t/{reference}?from=kiosk";
    Rig rig(central, settings, true);
    ASSERT_TRUE(rig.press_key("attract.start"));
    // Nothing typed: the ticket is not sent and the person is told why.
    ASSERT_TRUE(rig.press_key("home.ticket"));
    ASSERT_TRUE(rig.press_key("ticket.category.access"));
    ASSERT_TRUE(rig.press_key("identify.continue"));
    EXPECT_EQ(rig.view().notice, app::Notice::DescriptionEmpty);
    ASSERT_TRUE(rig.press_key("common.back"));
    send_ticket(rig, "The badge reader on floor 3 does not beep");
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    const std::string reference = rig.view().reference;
    EXPECT_EQ(reference.rfind("T-", 0), 0u) << reference;
    EXPECT_FALSE(rig.view().saved_for_later);
    EXPECT_EQ(rig.view().receipt_url, "https://desk.example.org/t/" + reference + "?from=kiosk");
    const auto ticket = get(central, "/v1/tickets/" + reference);
    ASSERT_TRUE(ticket.has_value());
    ASSERT_EQ(ticket->status, 200) << ticket->body;
    const json view = json::parse(ticket->body);
    EXPECT_EQ(view["category"], "hardware");
    EXPECT_EQ(view["status"], "open");
    EXPECT_TRUE(queued(rig.offline(), "/v1/tickets").empty()) << "sent online, not queued";
}

// The central is down: the ticket is sealed into the outbox, the receipt says it is saved,
// and once the same central is back the sync worker delivers it, once.
TEST(HelpFlowsUi, TicketMadeWhileTheCentralIsDownArrivesWhenItIsBack) {
    kiosk::testing::CentralProcess central;
    Rig rig(central, app::SessionSettings{}, true);
    ASSERT_TRUE(rig.offline().refresh_sealing_key());
    const auto tickets_before = report(central)["deflection"]["tickets_opened"].get<int>();
    central.stop();
    ASSERT_TRUE(rig.press_key("attract.start"));
    send_ticket(rig, "Kiosk screen flickers");
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    EXPECT_TRUE(rig.view().saved_for_later);
    EXPECT_EQ(rig.view().reference.rfind("Q-", 0), 0u) << rig.view().reference;
    EXPECT_TRUE(rig.shows(rig.label("done.finish")));
    EXPECT_TRUE(rig.view().receipt_url.empty()) << "no central reference to follow yet";
    const auto waiting = queued(rig.offline(), "/v1/tickets");
    ASSERT_EQ(waiting.size(), 1u);
    EXPECT_EQ(waiting[0], json("sealed")) << "the description is the person's own words";
    const std::string key = rig.offline().outbox().next_batch(10).front().idempotency_key;
    EXPECT_EQ(key.rfind(rig.view().reference + "-", 0), 0u);
    ASSERT_TRUE(rig.press_key("done.finish"));

    rig.offline().start();
    central.start_again();
    rig.offline().sync().wake();
    ASSERT_TRUE(eventually([&] { return !rig.offline().outbox().find(key).has_value(); }, 30s))
        << rig.offline().sync().status().last_error << dead_letters(rig.offline());
    const auto answers = central.stored_answers();
    const auto answer = answers.find(key);
    std::string keys;
    for (const auto& [k, v] : answers) {
        keys += " " + k + "=" + std::to_string(v.first);
    }
    ASSERT_NE(answer, answers.end())
        << "the central recorded it under the kiosk's key " << key << "; it has" << keys
        << dead_letters(rig.offline()) << " delivered " << rig.offline().sync().status().delivered;
    EXPECT_EQ(answer->second.first, 201);
    const std::string reference = json::parse(answer->second.second)["reference"];
    const auto ticket = get(central, "/v1/tickets/" + reference);
    ASSERT_TRUE(ticket && ticket->status == 200);
    EXPECT_EQ(json::parse(ticket->body)["category"], "hardware");
    EXPECT_EQ(report(central)["deflection"]["tickets_opened"], tickets_before + 1)
        << "exactly one ticket";
}

// Stars on the receipt, a comment, send: the feedback goes through the outbox and the
// central's CSAT report counts it; the kiosk is back on attract at once.
TEST(HelpFlowsUi, FeedbackAfterAReceiptArrivesAtTheCentral) {
    kiosk::testing::CentralProcess central;
    Rig rig(central, app::SessionSettings{}, true);
    rig.offline().start();
    const json before = report(central); // the demo data has some feedback already
    const int count = before["csat"]["count"].get<int>();
    const int fives = before["csat"]["distribution"]["5"].get<int>();
    ASSERT_TRUE(rig.press_key("attract.start"));
    send_ticket(rig, "Need access to the finance share");
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    ASSERT_TRUE(rig.press("4"));
    ASSERT_EQ(rig.view().screen, app::Screen::Feedback);
    EXPECT_EQ(rig.view().rating, 4);
    rig.type("Quick and clear"); // the comment field has the caret
    ASSERT_TRUE(rig.press("5")); // changed their mind
    ASSERT_TRUE(rig.press_key("feedback.send"));
    EXPECT_EQ(rig.view().screen, app::Screen::Attract) << "never waits for the central";
    rig.settle();
    ASSERT_TRUE(eventually(
        [&] {
            const json r = report(central);
            return r.is_object() && r["csat"]["count"] == count + 1;
        },
        30s))
        << rig.offline().sync().status().last_error << dead_letters(rig.offline());
    const json r = report(central);
    EXPECT_EQ(r["csat"]["distribution"]["5"], fives + 1) << r.dump();
}

// Skipping feedback sends none.
TEST(HelpFlowsUi, SkippingFeedbackSendsNothing) {
    kiosk::testing::CentralProcess central;
    Rig rig(central, app::SessionSettings{}, true);
    ASSERT_TRUE(rig.press_key("attract.start"));
    send_ticket(rig, "Monitor is dark");
    ASSERT_TRUE(rig.press("2"));
    ASSERT_TRUE(rig.press_key("feedback.skip"));
    EXPECT_EQ(rig.view().screen, app::Screen::Attract);
    rig.settle();
    EXPECT_TRUE(queued(rig.offline(), "/v1/feedback").empty());
}

// A person opens the ticket form and walks away: the session ends by idle timeout with a
// session_ended event (flow ticket, last screen ticket, outcome abandoned, anonymous) in
// the outbox; a finished ticket session is recorded as "ticket".
TEST(HelpFlowsUi, SessionsEndWithASessionEndedEvent) {
    kiosk::testing::CentralProcess central;
    Rig rig(central, app::SessionSettings{}, true);
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.ticket"));
    rig.walk_away();
    ASSERT_EQ(rig.view().screen, app::Screen::Attract);
    auto events = queued(rig.offline(), "/v1/kiosks/audit-events");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["action"], "session_ended");
    EXPECT_EQ(events[0]["flow"], "ticket");
    EXPECT_EQ(events[0]["last_screen"], "ticket");
    EXPECT_EQ(events[0]["outcome"], "abandoned");
    EXPECT_EQ(events[0]["actor"], "anonymous");
    EXPECT_EQ(events[0]["detail"], "idle timeout");

    ASSERT_TRUE(rig.press_key("attract.start"));
    send_ticket(rig, "Scanner jammed");
    ASSERT_TRUE(rig.press_key("done.finish"));
    events = queued(rig.offline(), "/v1/kiosks/audit-events");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1]["outcome"], "ticket");
    EXPECT_EQ(events[1]["last_screen"], "done");

    // The attract screen's own timeout (someone chose a language and left) is no session.
    ASSERT_TRUE(rig.press("Polski"));
    rig.walk_away();
    EXPECT_EQ(queued(rig.offline(), "/v1/kiosks/audit-events").size(), 2u);
}

// The reports count real kiosk sessions: an enrolled kiosk (client certificate) whose
// person walks away from the identify screen, and one who opens a ticket. The sync worker
// delivers both session_ended events and GET /v1/admin/reports (what `kioskctl reports`
// prints) counts one abandoned at reset/identify and one ended with a ticket.
TEST(HelpFlowsUi, ReportsCountTheKiosksSessions) {
    kiosk::testing::CentralProcess central;
    const auto dir = fresh_dir();
    const auto enrolled = kiosk::testing::enrol_kiosk(
        central, kiosk::testing::demo_admin_token(central), "lobby-7", json::array(), dir);
    ASSERT_EQ(enrolled.status, 201) << enrolled.body;
    const json before = report(central); // the demo data holds sessions of its own
    const int abandoned = before["abandoned_flows"]["count"].get<int>();
    const int with_ticket = before["first_contact_resolution"]["ended_with_ticket"].get<int>();
    {
        Rig rig(central, app::SessionSettings{}, true, &enrolled);
        rig.offline().start();
        ASSERT_TRUE(rig.press_key("attract.start"));
        ASSERT_TRUE(rig.press_key("home.reset"));
        ASSERT_EQ(rig.view().screen, app::Screen::Identify);
        rig.walk_away();
        ASSERT_TRUE(rig.press_key("attract.start"));
        send_ticket(rig, "Cannot reach the VPN");
        ASSERT_TRUE(rig.press_key("done.finish"));
        rig.settle();
        ASSERT_TRUE(eventually(
            [&] {
                const json r = report(central);
                return r.is_object() && r["abandoned_flows"]["count"] == abandoned + 1 &&
                       r["first_contact_resolution"]["ended_with_ticket"] == with_ticket + 1;
            },
            30s))
            << rig.offline().sync().status().last_error << " "
            << rig.offline().outbox().counts().dead << " dead";
    }
    const json r = report(central);
    bool found = false;
    for (const auto& where : r["abandoned_flows"]["by_screen"]) {
        found = found || (where["flow"] == "reset" && where["last_screen"] == "identify");
    }
    EXPECT_TRUE(found) << r.dump();
    json lobby;
    for (const auto& kiosk : r["adoption"]) {
        if (kiosk["kiosk_id"] == "lobby-7") {
            lobby = kiosk;
        }
    }
    ASSERT_TRUE(lobby.is_object()) << r.dump();
    EXPECT_EQ(lobby["sessions"], 2);
    EXPECT_EQ(lobby["users"], 0) << "nobody verified: anonymous sessions";
    std::filesystem::remove_all(dir);
}
