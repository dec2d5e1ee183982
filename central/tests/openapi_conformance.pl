#!/usr/bin/perl
# Keeps docs/api/openapi.yaml honest: lints it against the OpenAPI 3.0 schema, checks that it
# and kiosk-central's route table name the same routes, then drives a real kiosk-central over
# TLS through every documented operation and validates each real answer (status, JSON body,
# no undocumented fields) against the spec.
# Usage: openapi_conformance.pl KIOSK_CENTRAL SPEC CENTRAL_SRC_DIR
use strict;
use warnings;
use File::Temp qw(tempdir);
use JSON::PP qw(decode_json encode_json);
use JSON::Validator::Schema::OpenAPIv3;
use Mojo::UserAgent;
use Time::HiRes qw(sleep);

my ($central_bin, $spec_file, $src_dir) = @ARGV;
die "usage: $0 KIOSK_CENTRAL SPEC CENTRAL_SRC_DIR\n" unless $src_dir;
my @failures;
sub fail_with { push @failures, join('', @_) }

# --- 1. Lint --------------------------------------------------------------------------------
my $spec = JSON::Validator::Schema::OpenAPIv3->new($spec_file);
fail_with("spec: $_") for @{$spec->errors};
die join("\n", @failures), "\n" if @failures;
my $paths = $spec->data->{paths};
my %documented;    # "POST /v1/x/*" => "/v1/x/{id}"
for my $path (keys %$paths) {
    for my $method (grep { /^(get|post|put|patch|delete)$/ } keys %{$paths->{$path}}) {
        my $op = $paths->{$path}{$method};
        (my $shape = $path) =~ s/\{[^}]+\}/*/g;
        $documented{uc($method) . " $shape"} = $path;
        fail_with("spec: $method $path has no summary") unless $op->{summary};
        my @codes = keys %{$op->{responses} || {}};
        fail_with("spec: $method $path documents no success answer") unless grep { /^2/ } @codes;
        fail_with("spec: $method $path documents no error answer")
          if $method ne 'get' && !grep { /^4/ } @codes;
    }
}

# --- 2. The spec and the server's route table name the same routes -------------------------
my %registered;
for my $file (glob("$src_dir/*.cpp")) {
    open(my $fh, '<', $file) or die "$file: $!";
    local $/;
    my $text = <$fh>;
    # server.Post("/v1/x", ...), server.Get(R"(/v1/x/([A-Za-z0-9_-]{1,64})/y)", ...) and
    # server.Post(kNamedPath, ...) with `constexpr ... kNamedPath = "/v1/..."`.
    my %constants = $text =~ /\b(k\w+)\s*(?:\[\])?\s*=\s*"(\/v1\/[^"]*|\/metrics)"/g;
    while ($text =~ /server\.(Get|Post|Put|Patch|Delete)\(\s*(R"\((.*?)\)"|"([^"]*)"|(k\w+))/g) {
        my ($method, $path) = (uc $1, $3 // $4 // $constants{$5 // ''});
        next unless defined $path;
        $path =~ s/\((?:[^()]|\([^()]*\))*\)/*/g;    # capture groups are path parameters
        $registered{"$method $path"} = $file;
    }
}
fail_with("route not in the spec: $_ (", $registered{$_} =~ s/.*\///r, ")")
  for sort grep { !$documented{$_} } keys %registered;
fail_with("spec documents a route the server does not have: $_")
  for sort grep { !$registered{$_} } keys %documented;

# --- 3. A real central ------------------------------------------------------------------------
# On SQLite in its data directory, or (the pg.* run: KIOSK_TEST_DATABASE=postgresql:///…?host=…)
# on a fresh database of that PostgreSQL server, dropped at the end.
my $dir = tempdir(CLEANUP => 1);
my @database;
my ($pg_server, $pg_name) = ($ENV{KIOSK_TEST_DATABASE} // '', undef);
if ($pg_server =~ m{^postgres(?:ql)?://}) {
    $pg_name = sprintf('kiosk_openapi_%d_%d', $$, time);
    system('psql', '-q', '-v', 'ON_ERROR_STOP=1', '-c', "CREATE DATABASE $pg_name", $pg_server) == 0
      or die "cannot create the PostgreSQL test database\n";
    (my $url = $pg_server) =~ s{^(postgres(?:ql)?://[^/]*/)[^?]*}{$1$pg_name};
    @database = ('--database', $url);
}
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    open(STDERR, '>', "$dir/central.log");
    open(STDOUT, '>', '/dev/null');
    exec($central_bin, 'serve', '--demo', '--data-dir', "$dir/data", '--listen', '127.0.0.1:0',
        '--ready-file', "$dir/port", '--resend-cooldown', '2', @database) or die "exec: $!";
}
END {
    # waitpid and system set $?, which END leaves as the script's exit status: without
    # this a failed run (exit 1) exited with the central's status, 0.
    local $?;
    if ($pid) { kill 'TERM', $pid; waitpid($pid, 0) }
    if ($pg_name) {
        system('psql', '-q', '-c', "DROP DATABASE IF EXISTS $pg_name WITH (FORCE)", $pg_server);
    }
}
for (1 .. 300) { last if -s "$dir/port"; sleep 0.1 }
die "kiosk-central did not start\n" unless -s "$dir/port";
my $port = do { local (@ARGV, $/) = "$dir/port"; <> };
$port =~ s/\s+//g;
my $base = "https://127.0.0.1:$port";
my $ua = Mojo::UserAgent->new(ca => "$dir/data/tls/ca.pem", request_timeout => 30);
my $admin_token = do { local (@ARGV, $/) = "$dir/data/admin-token"; <> };
$admin_token =~ s/\s+//g;

my %exercised;    # "POST /v1/x/*" => number of answers checked

# Follows $ref so undocumented-field checks see the real schema.
sub resolve {
    my ($schema) = @_;
    while (ref $schema eq 'HASH' && $schema->{'$ref'}) {
        my $node = $spec->data;
        $node = $node->{$_ =~ s/~1/\//gr =~ s/~0/~/gr} for grep { length } split /\//,
          ($schema->{'$ref'} =~ s/^#//r);
        $schema = $node;
    }
    return $schema;
}

# Fields the server sent that the schema does not name, so the spec cannot silently fall
# behind the server (OpenAPI allows extra fields unless a schema says otherwise).
sub undocumented_fields {
    my ($schema, $value, $where) = @_;
    $schema = resolve($schema);
    return () unless ref $schema eq 'HASH';
    my @extra;
    if (ref $value eq 'HASH' && $schema->{properties}) {
        for my $key (sort keys %$value) {
            if (my $sub = $schema->{properties}{$key}) {
                push @extra, undocumented_fields($sub, $value->{$key}, "$where.$key");
            } elsif (!$schema->{additionalProperties}) {
                push @extra, "$where.$key";
            }
        }
    } elsif (ref $value eq 'ARRAY' && $schema->{items}) {
        push @extra, undocumented_fields($schema->{items}, $_, "$where\[]") for @$value;
    }
    return @extra;
}

# Sends one request and checks the answer against the spec. Returns (status, decoded body).
sub call {
    my ($method, $path, %options) = @_;
    my %headers = %{$options{headers} || {}};
    my @body = exists $options{json} ? (json => $options{json})
             : exists $options{form} ? (form => $options{form})
             : exists $options{raw}  ? ($options{raw})
             :                         ();
    $headers{'Content-Type'} = 'application/json' if exists $options{raw};
    my $agent = $options{ua} || $ua;    # a kiosk's agent presents its client certificate
    my $tx = $agent->build_tx($method => "$base$path" => \%headers => @body);
    $tx = $agent->start($tx);
    my $res = $tx->result;
    my $status = $res->code;
    (my $shape = $path) =~ s/\?.*//;
    my ($key) = grep {
        my $pattern = quotemeta($_) =~ s/\\\*/[^\/]+/gr;
        "$method $shape" =~ /^$pattern$/
    } keys %documented;
    unless ($key) { fail_with("$method $path: no such operation in the spec"); return ($status) }
    $exercised{$key}++;
    my $template = $documented{$key};
    my $op = $paths->{$template}{lc $method};
    my $what = "$method $path -> $status";
    if ($options{expect} && $status != $options{expect}) {
        fail_with("$what: expected $options{expect}; body: ", $res->body);
    }
    my $documented_answer = $op->{responses}{$status} // $op->{responses}{default};
    unless ($documented_answer) { fail_with("$what: status not documented"); return ($status) }
    my $schema = resolve($documented_answer);
    my $media = $schema->{content} && $schema->{content}{'application/json'};
    my $body;
    if ($media) {
        my $type = $res->headers->content_type // '';
        fail_with("$what: Content-Type '$type', documented application/json")
          unless $type =~ m{^application/json};
        $body = eval { decode_json($res->body) };
        unless (defined $body) { fail_with("$what: body is not JSON: ", $res->body); return ($status) }
        my @errors = $spec->validate_response([lc $method, $template, $status],
            {body => sub { {exists => 1, value => $body} }});
        fail_with("$what: $_") for @errors;
        fail_with("$what: undocumented field $_")
          for undocumented_fields($media->{schema}, $body, 'body');
    } elsif (length $res->body && $status != 204) {
        # A documented answer with no content: only a text body (metrics) may carry one.
        fail_with("$what: a body the spec does not describe") unless $schema->{content};
    }
    return ($status, $body);
}

sub latest_code {
    my ($account) = @_;
    open(my $fh, '<', "$dir/data/outbox/email.jsonl") or die "outbox: $!";
    my $code;
    while (my $line = <$fh>) {
        my $entry = decode_json($line);
        $code = $entry->{code} if ($entry->{account} // '') eq $account && $entry->{code};
    }
    return $code;
}

sub verified_token {
    my ($account) = @_;
    my (undef, $started) = call('POST', '/v1/verifications',
        json => {identifier => $account, method => 'email'}, expect => 202);
    my (undef, $checked) = call('POST', "/v1/verifications/$started->{challenge_id}/check",
        json => {code => latest_code($account)}, expect => 200);
    return $checked->{verification_token};
}

# --- 4. Every operation, its success and the errors a client meets ---------------------------
my $admin = {Authorization => "Bearer $admin_token"};
call('GET', '/v1/health', expect => 200);
call('GET', '/v1/sealing-key');
call('GET', '/v1/password-policy', expect => 200);

call('POST', '/v1/verification-options', json => {identifier => 'tnowak', purpose => 'unlock'},
    expect => 200);
call('POST', '/v1/verification-options', json => {identifier => 'tnowak', purpose => 'reset'},
    expect => 200);
call('POST', '/v1/verification-options', json => {identifier => 'nobody-here'}, expect => 200);
call('POST', '/v1/verification-options', json => {identifier => 'jdoe', purpose => 'all'},
    expect => 400);
call('POST', '/v1/verification-options', raw => '{"identifier":', expect => 400);
call('POST', '/v1/verifications', raw => '{"identifier":', expect => 400);
call('POST', '/v1/verifications', json => {identifier => 17}, expect => 400);
call('POST', '/v1/verifications', json => {identifier => 'nobody-here', method => 'email'},
    expect => 202);
call('POST', '/v1/verifications', json => {identifier => 'jdoe'},
    headers => {'Idempotency-Key' => 'bad key!'}, expect => 400);
my (undef, $started) = call('POST', '/v1/verifications',
    json => {identifier => 'mkowalska', method => 'email'}, expect => 202);
call('POST', "/v1/verifications/$started->{challenge_id}/check", json => {code => '000000'});
call('POST', '/v1/verifications/does-not-exist/check', json => {code => '123456'});
call('POST', "/v1/verifications/$started->{challenge_id}/resend", json => {x => 1}, expect => 400);
call('POST', '/v1/verifications/does-not-exist/resend', json => {}, expect => 410);
{
    my (undef, $totp) = call('POST', '/v1/verifications',
        json => {identifier => 'tnowak', method => 'totp'}, expect => 202);
    call('POST', "/v1/verifications/$totp->{challenge_id}/resend", json => {}, expect => 409);
    my (undef, $sms) = call('POST', '/v1/verifications',
        json => {identifier => 'jdoe', method => 'sms'}, expect => 202);
    call('POST', "/v1/verifications/$sms->{challenge_id}/resend", json => {}, expect => 429);
    sleep 2;    # the run's central has --resend-cooldown 2
    call('POST', "/v1/verifications/$sms->{challenge_id}/resend", json => {}, expect => 202);
}

my $token = verified_token('jdoe');
call('POST', '/v1/account-status', json => {verification_token => $token}, expect => 200);
call('POST', '/v1/account-status', json => {verification_token => 'not-a-token'});
call('POST', '/v1/password-resets', json => {verification_token => $token, new_password => 'short'});
call('POST', '/v1/password-resets', json => {verification_token => 'not-a-token',
    new_password => 'a long enough passphrase for the policy'});
call('POST', '/v1/password-resets', json => {verification_token => $token,
    new_password => 'conformance test passphrase one'}, headers => {'Idempotency-Key' => 'oa-1'},
    expect => 200);
call('POST', '/v1/password-resets', json => {verification_token => $token,
    new_password => 'conformance test passphrase one'}, headers => {'Idempotency-Key' => 'oa-1'},
    expect => 200);    # the replay
call('POST', '/v1/password-resets', json => {verification_token => $token,
    new_password => 'another test passphrase here'}, headers => {'Idempotency-Key' => 'oa-1'},
    expect => 422);
call('POST', '/v1/unlocks', json => {verification_token => verified_token('asmith')}, expect => 200);
call('POST', '/v1/unlocks', json => {verification_token => 'spent'});
call('POST', '/v1/sign-ins', json => {username => 'jdoe', password => 'wrong password'});
call('POST', '/v1/sign-ins', json => {username => 'jdoe',
    password => 'conformance test passphrase one'}, expect => 200);
call('POST', '/v1/sync/batch', raw => '[]', expect => 400);
call('POST', '/v1/sync/batch', json => {items => [
    {idempotency_key => 'oa-batch-1', route => '/v1/unlocks', body => {verification_token => 'x'}},
    {idempotency_key => 'oa-batch-2', route => '/v1/nowhere', body => {}}]}, expect => 200);

call('POST', '/v1/admin/enrolments', json => {kiosk_id => 'lobby-1'}, expect => 401);
call('POST', '/v1/admin/enrolments', json => {kiosk_id => 'bad id!'}, headers => $admin,
    expect => 400);
my (undef, $enrolment) = call('POST', '/v1/admin/enrolments',
    json => {kiosk_id => 'lobby-1', groups => ['north']}, headers => $admin, expect => 201);
# The kiosk's key and certificate request, made as a kiosk makes them; then mutual TLS.
system("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
    . "'$dir/kiosk.key' -out '$dir/kiosk.csr' -subj /CN=lobby-1 2>/dev/null") == 0
  or die "openssl req failed\n";
my $csr = do { local (@ARGV, $/) = "$dir/kiosk.csr"; <> };
call('POST', '/v1/kiosks/enrol', json => {kiosk_id => 'lobby-1', code => 'AAAA-BBBB-CCCC',
    csr => $csr}, expect => 401);
call('POST', '/v1/kiosks/enrol', json => {kiosk_id => 'lobby-1', code => $enrolment->{code},
    csr => 'not a request'}, expect => 400);
my (undef, $enrolled) = call('POST', '/v1/kiosks/enrol',
    json => {kiosk_id => 'lobby-1', code => $enrolment->{code}, csr => $csr}, expect => 201);
{
    open(my $fh, '>', "$dir/kiosk.pem") or die "kiosk.pem: $!";
    print $fh $enrolled->{certificate};
}
my $kiosk = Mojo::UserAgent->new(ca => "$dir/data/tls/ca.pem", cert => "$dir/kiosk.pem",
    key => "$dir/kiosk.key", request_timeout => 30);
call('POST', '/v1/kiosks/heartbeat', json => {version => '0.1.0'}, expect => 401);
call('POST', '/v1/kiosks/heartbeat', json => {version => '0.1.0', config_version => 0,
    queue_depth => 3, dead_letters => 0}, ua => $kiosk, expect => 200);
call('GET', '/v1/kiosks/config?after=0', ua => $kiosk);
call('GET', '/v1/kiosks/config?after=-4', ua => $kiosk, expect => 400);
call('POST', '/v1/admin/config-bundles', json => {payload => 'x', signatures => []},
    headers => $admin, expect => 400);
call('GET', '/v1/admin/fleet', headers => $admin, expect => 200);
call('GET', '/v1/admin/fleet', expect => 401);

# Offline requests (no verification token) and their confirmation by the owner.
call('POST', '/v1/password-resets', json => {offline_request => {identifier => 'mkowalska'},
    new_password => 'offline conformance passphrase'}, expect => 202);
call('POST', '/v1/unlocks', json => {offline_request => {identifier => 'nobody-here'}},
    expect => 202);
call('POST', '/v1/password-resets', json => {offline_request => {identifier => 'mkowalska'},
    new_password => 'short'}, expect => 422);
my $confirmation;
{
    open(my $fh, '<', "$dir/data/outbox/email.jsonl") or die "outbox: $!";
    while (my $line = <$fh>) {
        my $entry = decode_json($line);
        $confirmation = $entry if ($entry->{account} // '') eq 'mkowalska' && $entry->{confirmation};
    }
}
my $confirm_id = $confirmation->{confirmation_id};
call('GET', "/confirm/$confirm_id", expect => 200);
call('POST', "/confirm/$confirm_id", form => {code => '00000000'}, expect => 401);
call('POST', "/v1/offline-confirmations/$confirm_id/confirm", json => {code => 'x' x 100},
    expect => 400);
call('POST', "/v1/offline-confirmations/$confirm_id/confirm", json => {code => '00000000'},
    expect => 401);
call('POST', "/v1/offline-confirmations/$confirm_id/confirm",
    json => {code => $confirmation->{code}}, expect => 200);
call('POST', "/confirm/$confirm_id", form => {code => $confirmation->{code}}, expect => 200);
call('GET', "/confirm/$confirm_id", expect => 410);
call('POST', '/v1/offline-confirmations/unknown-id/confirm', json => {code => '12345678'},
    expect => 410);

# Tickets, feedback, the audit log, reports and metrics (src/record_routes.cpp).
call('POST', '/v1/tickets', raw => '{"category":', expect => 400);
call('POST', '/v1/tickets', json => {category => 'other', description => 'd',
    contact_preference => 'email', language => 'en', priority => 1}, expect => 400);
my (undef, $ticket) = call('POST', '/v1/tickets', json => {category => 'password',
    description => 'VPN refuses my new password', contact_preference => 'email', language => 'pl'},
    headers => {'Idempotency-Key' => 'oa-ticket-1'}, expect => 201);
call('GET', "/v1/tickets/$ticket->{reference}", expect => 200);
call('GET', '/v1/tickets/T-NOSUCH00', expect => 404);
call('POST', '/v1/feedback', json => {rating => 5, comment => 'quick', flow => 'reset',
    outcome => 'completed'}, ua => $kiosk, expect => 201);
call('POST', '/v1/feedback', json => {rating => 6, flow => 'reset', outcome => 'completed'},
    expect => 400);
call('POST', '/v1/kiosks/audit-events', json => {action => 'session_ended', actor => 'jdoe',
    at => '2026-01-01T00:00:00Z', flow => 'reset', last_screen => 'result',
    outcome => 'completed'}, ua => $kiosk, expect => 201);
call('POST', '/v1/kiosks/audit-events', json => {action => 'x', actor => 'a',
    at => '2026-01-01T00:00:00Z'}, expect => 401);
call('POST', '/v1/admin/kiosks/lobby-1/revoke', json => {}, expect => 401);
call('POST', '/v1/admin/kiosks/never-enrolled/revoke', json => {}, headers => $admin,
    expect => 404);
call('POST', '/v1/admin/kiosks/lobby-1/revoke', json => {}, headers => $admin, expect => 200);
call('POST', '/v1/kiosks/heartbeat', json => {version => '0.1.0'}, ua => $kiosk, expect => 403);
call('GET', '/v1/admin/audit?limit=50', headers => $admin, expect => 200);
call('GET', '/v1/admin/audit?since=yesterday', headers => $admin, expect => 400);
call('GET', '/v1/admin/audit', expect => 401);
call('GET', '/v1/admin/audit/verify', headers => $admin, expect => 200);
call('GET', '/v1/admin/tickets?status=open', headers => $admin, expect => 200);
call('POST', '/v1/admin/tickets/T-DEMO0001/status', json => {status => 'in_progress',
    note => 'looking'}, headers => $admin, expect => 200);
call('POST', '/v1/admin/tickets/T-DEMO0003/status', json => {status => 'open'},
    headers => $admin, expect => 409);
call('POST', '/v1/admin/tickets/T-DEMO0001/status', json => {status => 'done'},
    headers => $admin, expect => 400);
call('POST', '/v1/admin/tickets/T-NOSUCH00/status', json => {status => 'open'},
    headers => $admin, expect => 404);
call('GET', '/v1/admin/reports', headers => $admin, expect => 200);
call('GET', '/v1/admin/reports?from=soon', headers => $admin, expect => 400);
call('GET', '/metrics', headers => $admin, expect => 200);
call('GET', '/metrics', expect => 401);
call('POST', '/v1/contact-details', json => {verification_token => verified_token('mkowalska'),
    email => 'not an address'}, expect => 400);
call('POST', '/v1/contact-details', json => {verification_token => 'spent',
    email => 'm@example.org'}, expect => 401);
call('POST', '/v1/contact-details', json => {verification_token => verified_token('mkowalska'),
    email => 'maria.new@example.org'}, expect => 200);
call('POST', '/v1/activations', json => {identifier => 'kzielinski',
    activation_code => 'WRONG-CODE', new_password => 'a long enough passphrase'}, expect => 401);
call('POST', '/v1/activations', json => {identifier => 'kzielinski'}, expect => 400);
my (undef, $activation) = call('POST', '/v1/activations', json => {identifier => 'kzielinski',
    activation_code => 'ACTV-DEMO-2026', new_password => 'conformance first passphrase'},
    expect => 201);
call('POST', "/v1/activations/$activation->{activation_id}/confirm", json => {code => 'x' x 20},
    expect => 400);
call('POST', '/v1/activations/unknown-id/confirm', json => {code => '123456'}, expect => 410);
# Staff routes: admin provisioning of activation codes; staff verification needs a kiosk's
# client certificate (mutual TLS), so without one it answers 401 whatever the body says.
my (undef, $provisioned) = call('POST', '/v1/admin/activation-codes',
    json => {account => 'jdoe', expires_in_days => 3}, headers => $admin, expect => 201);
fail_with('activation code: no code') unless ($provisioned->{code} // '') =~ /^ACTV-/;
call('POST', '/v1/admin/activation-codes', json => {account => 'jdoe'}, expect => 401);
call('POST', '/v1/admin/activation-codes', json => {account => 'nobody-here'},
    headers => $admin, expect => 404);
call('POST', '/v1/admin/activation-codes', json => {account => 'tnowak'}, headers => $admin,
    expect => 409);
call('POST', '/v1/admin/activation-codes', json => {account => 'jdoe', expires_in_days => 0},
    headers => $admin, expect => 400);
call('POST', '/v1/staff-verifications', json => {identifier => 'jdoe',
    staff_credential => $admin_token, reason => 'conformance', id_checked => \1},
    headers => $admin, expect => 401);

# The per-kiosk rate limit (default 120 walk-up requests per 10 minutes, this run's caller
# being its address): cheap verifications until the central answers 429, then one checked
# against the spec. Last, since it shuts every walk-up route to this caller for the window.
my $limited = 0;
for (1 .. 300) {
    my $res = $ua->post("$base/v1/verifications" => json => {identifier => 'nobody-here'})->result;
    if ($res->code == 429) {
        $limited = 1;
        fail_with('rate limit: no Retry-After header')
          unless ($res->headers->header('Retry-After') // '') =~ /^\d+$/;
        last;
    }
}
fail_with('rate limit: 300 verifications and never a 429') unless $limited;
my (undef, $refused) = call('POST', '/v1/verifications', json => {identifier => 'jdoe'},
    expect => 429);
fail_with('rate limit: no retry_after_seconds')
  unless ref $refused eq 'HASH' && ($refused->{error}{retry_after_seconds} // 0) > 0;

fail_with("never exercised: $_") for sort grep { !$exercised{$_} } keys %documented;

if (@failures) {
    print STDERR "FAIL $_\n" for @failures;
    printf STDERR "%d problem(s); central log: %s\n", scalar @failures,
      do { local (@ARGV, $/) = "$dir/central.log"; <> } // '';
    exit 1;
}
my $answers = 0;
$answers += $_ for values %exercised;
printf "openapi conformance: %d operations, %d real answers checked against %s (%s)\n",
  scalar(keys %documented), $answers, $spec_file,
  $pg_name ? "PostgreSQL database $pg_name" : 'SQLite';
exit 0;
