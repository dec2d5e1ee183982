// KioskRuntime: wires the outbox's sync worker and the fleet agent to the connectivity
// monitor, runs the agent on its own thread, and turns each newly applied configuration
// into session settings that the UI picks up at its next return to attract.
#include "kiosk/app/kiosk_runtime.hpp"

#include "kiosk/agent/fleet_agent.hpp"
#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <future>
#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::chrono::milliseconds heartbeat_interval(const config::Settings& settings) {
    return std::chrono::seconds(settings.sync.heartbeat_seconds);
}

} // namespace

SessionSettings map_session_settings(const config::Bootstrap& bootstrap,
                                     const config::Settings* applied,
                                     const std::vector<std::string>& available_languages) {
    SessionSettings out;
    std::vector<std::string> wanted = available_languages;
    std::string default_language = bootstrap.default_language;
    out.idle_timeout = std::chrono::seconds(bootstrap.idle_timeout_seconds);
    if (applied != nullptr) {
        wanted = applied->languages.enabled;
        default_language = applied->languages.default_language;
        out.idle_timeout = std::chrono::seconds(applied->idle.session_timeout_seconds);
        out.idle_warning = std::chrono::seconds(applied->idle.countdown_seconds);
        // [help, tickets, feedback] what the help screen shows and where receipts point.
        for (const auto& [language, entries] : applied->help.faq) {
            auto& list = out.help.faq[language];
            for (const auto& entry : entries) {
                list.push_back({entry.question, entry.answer});
            }
        }
        out.help.opening_hours = applied->help.opening_hours;
        out.help.phone = applied->support_contacts.phone;
        out.help.email = applied->support_contacts.email;
        out.help.chat_url = applied->support_contacts.chat_url;
        out.follow_up_url = applied->support_contacts.follow_up_url;
        out.help_offered = applied->flows.help;
        out.ticket_offered = applied->flows.ticket;
        out.feedback_offered = applied->flows.feedback;
        out.activation_offered = applied->flows.activate_account; // [activation]
        out.contact_offered = applied->flows.update_contact;      // [contact]
    }
    out.languages.clear();
    for (const auto& language : wanted) {
        if (contains(available_languages, language) && !contains(out.languages, language)) {
            out.languages.push_back(language);
        }
    }
    if (out.languages.empty()) {
        out.languages = available_languages; // a config naming only unknown languages
    }
    out.default_language =
        contains(out.languages, default_language) ? default_language : out.languages.front();
    // The countdown must fit inside the timeout (the schema allows 15 s with a 60 s warning).
    out.idle_warning = std::min(out.idle_warning, out.idle_timeout / 2);
    return out;
}

KioskRuntime::KioskRuntime(RuntimeSettings settings) : settings_(std::move(settings)) {}

std::unique_ptr<KioskRuntime> KioskRuntime::create(RuntimeSettings settings, std::string& error) {
    std::unique_ptr<KioskRuntime> self(new KioskRuntime(std::move(settings)));
    auto& s = self->settings_;
    const auto& boot = s.bootstrap;
    KioskRuntime* raw = self.get();

    if (!boot.config_trust_dir.empty()) {
        agent::AgentSettings agent;
        agent.central_url = boot.central_url;
        agent.ca_file = s.client.ca_file;
        agent.state_dir = boot.config_state_dir;
        agent.kiosk_id = boot.kiosk_id;
        agent.trust = {boot.config_trust_dir};
        agent.threshold = boot.config_signature_threshold;
        agent.software_version = s.software_version;
        agent.request_timeout = s.client.total_timeout;
        agent.cancel = &raw->stop_;
        agent.queue = [raw] {
            agent::QueueCounts counts;
            if (raw->offline_) {
                const auto now = raw->offline_->outbox().counts();
                counts.pending = static_cast<std::int64_t>(now.pending);
                counts.dead = static_cast<std::int64_t>(now.dead);
            }
            return counts;
        };
        self->agent_ = agent::FleetAgent::create(std::move(agent), error);
        if (!self->agent_) {
            error = "signed configuration: " + error;
            return nullptr;
        }
        self->fleet_.enabled = true;
        // An enrolled kiosk presents its client certificate on every request to the central
        // (the sync worker's batches carry its audit events and session ends), from the
        // moment enrolment has written it: a kiosk enrolled by its bootstrap code at this
        // start, or by staff in maintenance, needs no restart.
        const auto files = self->agent_->client_certificate_paths();
        s.client.client_certificate = files.certificate;
        s.client.client_key = files.key;
        s.client.client_certificate_when_present = true;
    }
    self->publish_applied(); // the document applied before this start, if any

    ConnectivitySettings watch;
    watch.central_url = boot.central_url;
    watch.client = s.client;
    watch.interval = self->fleet_interval_;
    watch.on_change = [raw] { raw->notify(); };
    self->monitor_ = std::make_unique<ConnectivityMonitor>(std::move(watch));

    if (s.offline) {
        OfflineSettings offline;
        offline.outbox_file = config::outbox_path(boot);
        offline.sealing_key_file = boot.state_dir / "sealing-key.pem";
        if (const auto* applier = self->agent_ ? self->agent_->applier() : nullptr) {
            offline.sync.base_backoff =
                std::chrono::seconds(applier->settings().sync.outbox_retry_seconds);
        }
        std::error_code ignored;
        std::filesystem::create_directories(boot.state_dir, ignored);
        std::string why;
        self->offline_ = OfflineServices::open(
            boot.central_url, s.client, offline, why, [raw](const offline::SyncStatus& status) {
                spdlog::info("offline: {} pending, {} dead, central {}", status.pending,
                             status.dead, status.central_reachable ? "reachable" : "unreachable");
                raw->monitor_->record_sync(status);
            });
        if (!self->offline_) {
            spdlog::error("kiosk: the offline outbox {} cannot be used ({}); resets that time "
                          "out cannot be saved for later",
                          offline.outbox_file.string(), why);
        } else if (self->offline_->open_report().recovered) {
            spdlog::error("kiosk: the outbox was corrupt ({}); moved aside to {}",
                          self->offline_->open_report().reason,
                          self->offline_->open_report().moved_aside.string());
        }
    }
    return self;
}

KioskRuntime::~KioskRuntime() {
    stop();
}

void KioskRuntime::start() {
    if (offline_) {
        const auto counts = offline_->outbox().counts();
        offline::SyncStatus initial;
        initial.pending = counts.pending;
        initial.dead = counts.dead;
        monitor_->record_sync(initial); // the queue is known before the first round
        offline_->start();
    }
    monitor_->start();
    if (agent_ && !fleet_thread_.joinable()) {
        fleet_thread_ = std::thread([this] { run_fleet(); });
    }
}

void KioskRuntime::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (fleet_thread_.joinable()) {
        fleet_thread_.join();
    }
    if (monitor_) {
        monitor_->stop();
    }
    if (offline_) {
        offline_->stop();
    }
}

SessionSettings KioskRuntime::session_settings() const {
    std::lock_guard lock(mutex_);
    return session_settings_;
}

std::uint64_t KioskRuntime::settings_revision() const {
    std::lock_guard lock(mutex_);
    return settings_revision_;
}

FleetStatus KioskRuntime::fleet_status() const {
    std::lock_guard lock(mutex_);
    return fleet_;
}

void KioskRuntime::pull_now() {
    {
        std::lock_guard lock(mutex_);
        pull_requested_ = true;
    }
    wake_.notify_all();
}

bool KioskRuntime::on_fleet_thread(std::function<void()> command) {
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    {
        std::lock_guard lock(mutex_);
        if (!agent_ || !fleet_thread_.joinable() || stop_) {
            return false;
        }
        commands_.push_back([command = std::move(command), done] {
            command();
            done->set_value();
        });
    }
    wake_.notify_all();
    finished.wait();
    return true;
}

void KioskRuntime::run_commands(std::unique_lock<std::mutex>& lock) {
    while (!commands_.empty()) {
        auto command = std::move(commands_.front());
        commands_.pop_front();
        lock.unlock();
        command();
        lock.lock();
    }
}

config::Outcome KioskRuntime::revert_config() {
    config::Outcome outcome{config::Refusal::nothing_to_revert,
                            "signed configuration is off on this kiosk"};
    if (on_fleet_thread([&] {
            outcome = agent_->revert(config::Clock::now());
            publish_applied();
        })) {
        notify();
    }
    return outcome;
}

std::string KioskRuntime::enrol(const SecretString& code) {
    std::string error = "signed configuration is off on this kiosk";
    if (on_fleet_thread([&] {
            // Enrolled kiosks are not re-enrolled by mistake; one whose certificate the
            // central refuses (revoked, or from another central) takes a new code here.
            bool refused = false;
            {
                std::lock_guard lock(mutex_);
                refused = fleet_.last_problem.find("client_certificate_") != std::string::npos;
            }
            if (agent_->enrolled() && !refused) {
                error = "already enrolled";
                return;
            }
            error = agent_->enrol(std::string(code.view()));
            if (error.empty()) {
                std::lock_guard lock(mutex_);
                fleet_.enrolment_problem.clear();
            }
            publish_applied();
        })) {
        pull_now();
        notify();
    }
    return error;
}

void KioskRuntime::notify() const {
    if (attached_) {
        attached_();
    }
    if (settings_.on_change) {
        settings_.on_change();
    }
}

void KioskRuntime::attach(Session& session, UiInbox& inbox) {
    handed_revision_ = settings_revision();
    attached_ = [this, &session, &inbox] {
        inbox.post([this, &session] {
            session.set_central_reachability(monitor_->snapshot().state);
            if (const auto revision = settings_revision(); revision != handed_revision_) {
                handed_revision_ = revision;
                session.reconfigure(session_settings());
            }
        });
    };
}

void KioskRuntime::publish_applied() {
    const config::ConfigApplier* applier = agent_ ? agent_->applier() : nullptr;
    const std::int64_t version = applier != nullptr ? applier->applied_version() : 0;
    bool settings_changed = false;
    {
        std::lock_guard lock(mutex_);
        fleet_.enrolled = agent_ && agent_->enrolled();
        if (applier != nullptr) {
            fleet_.applied = applier->applied();
            fleet_.last_refusal = applier->last_refusal();
            fleet_.startup_problem = applier->startup_problem();
        }
        ++fleet_.revision;
        if (version != mapped_version_) {
            const auto applied_settings = applier != nullptr && applier->applied()
                                              ? applier->settings()
                                              : std::optional<config::Settings>();
            session_settings_ = map_session_settings(
                settings_.bootstrap, applied_settings ? &*applied_settings : nullptr,
                settings_.languages);
            fleet_interval_ = applied_settings ? heartbeat_interval(*applied_settings)
                                               : std::chrono::milliseconds(60'000);
            if (settings_.fleet_interval_override.count() > 0) {
                fleet_interval_ = settings_.fleet_interval_override;
            }
            settings_changed = mapped_version_ >= 0; // not for the first mapping at create()
            mapped_version_ = version;
            ++settings_revision_;
        }
    }
    if (settings_changed) {
        spdlog::info("kiosk: configuration version {} applied; the session takes it at the "
                     "next return to the attract screen",
                     version);
        if (monitor_) {
            monitor_->set_interval(fleet_interval_);
        }
    }
}

bool KioskRuntime::try_enrol() {
    auto& code = settings_.bootstrap.enrolment_code;
    if (code.empty()) {
        std::lock_guard lock(mutex_);
        fleet_.enrolment_problem = "not enrolled: the bootstrap file has no enrolment_code "
                                   "(enrol from maintenance mode)";
        return false;
    }
    std::string error = agent_->enrol(code);
    if (error.empty()) {
        secure_wipe(code);
        spdlog::info("kiosk: enrolled as {}", settings_.bootstrap.kiosk_id);
        std::lock_guard lock(mutex_);
        fleet_.enrolment_problem.clear();
        return true;
    }
    // A refused code will not work next time either: forget it rather than retry it.
    if (error.rfind("the central did not answer", 0) != 0) {
        secure_wipe(code);
        code.clear();
    }
    spdlog::warn("kiosk: enrolment: {}", error);
    std::lock_guard lock(mutex_);
    fleet_.enrolment_problem = std::move(error);
    return false;
}

void KioskRuntime::run_fleet() {
    while (!stop_) {
        if (!agent_->enrolled() && try_enrol()) {
            publish_applied();
        }
        if (agent_->enrolled()) {
            const auto report = agent_->tick(config::Clock::now());
            if (report.central_answered) {
                monitor_->record_answer();
            } else if (report.no_answer &&
                       report.no_answer->kind != net::TransportFailureKind::Cancelled) {
                monitor_->record_no_answer(plain_reason(*report.no_answer));
            }
            if (report.outcome && !report.outcome->applied()) {
                spdlog::warn("kiosk: refused config version {}: {} ({})",
                             report.offered_version.value_or(0),
                             config::to_string(*report.outcome->refused), report.outcome->message);
            }
            {
                std::lock_guard lock(mutex_);
                fleet_.last_problem = report.problem;
                if (report.heartbeat_sent) {
                    fleet_.last_heartbeat = std::chrono::system_clock::now();
                }
            }
            publish_applied();
            notify();
        }
        std::unique_lock lock(mutex_);
        const auto from = std::chrono::steady_clock::now();
        while (!stop_ && !pull_requested_) {
            run_commands(lock);
            const auto deadline = from + fleet_interval_;
            if (std::chrono::steady_clock::now() >= deadline) {
                break;
            }
            wake_.wait_until(lock, deadline,
                             [this] { return stop_ || pull_requested_ || !commands_.empty(); });
        }
        pull_requested_ = false;
    }
    // Nobody waits forever on a command queued as we stopped.
    std::unique_lock lock(mutex_);
    run_commands(lock);
}

} // namespace kiosk::app
