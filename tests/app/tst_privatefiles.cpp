// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apitoken.h"
#include "services/core/logging.h"
#include "services/core/platform.h"
#include "services/infra/datadirlock.h"
#include "tests/fixture/hivefixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace Hive;

// What Agent Hive leaves on the disk is its user's alone: both executables make files with umask
// 077, the data directory (transcripts with typed text, prompts, workspaces) is narrowed to 0700
// at every start, the API token is never readable by others and is replaced when it was, and the
// docker-compose.yml's PostgreSQL and Redis take random passwords from a private .env. The test
// process runs with umask 022, as a user's shell does, so that nothing here is private by luck.
class tst_PrivateFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void agenthiveMakesPrivateFiles();
    void runnerMakesPrivateFiles();
    void dataDirIsNarrowedAtStart();
    void exposedTokenIsReplaced();
    void tokenIsPrivateUnderAnyUmask();
    void watchedTokenMadeReadableIsSpent();
    void composeHasNoFixedPasswords();
    void composeSecretsArePrivate();

private:
    static unsigned mode(const QString &path)
    {
        struct stat st{};
        return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 07777 : 0;
    }
    // The group and other bits a private path may keep: none, but a root-owned data directory
    // keeps others' search bit for the managed PostgreSQL's own user.
    static unsigned allowedDataDirBits() { return Platform::isRoot() ? 01 : 0; }
    static QString bin(const QString &name) { return Test::HiveFixture::binDir() + u'/' + name; }
    static QString sourceDir() { return QStringLiteral(QT_TESTCASE_SOURCEDIR) + u"/../.."_s; }
    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    QString newDir(const QString &name)
    {
        const QString d = m_root.filePath(name);
        QDir().mkpath(d);
        return d;
    }

    QTemporaryDir m_root{Test::testRoot() + u"/private-XXXXXX"_s};
    mode_t m_umask = 022;
};

void tst_PrivateFiles::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_root.isValid());
    m_umask = ::umask(022);
    Logging::setup(m_root.filePath(u"test-logs"_s), u"test.log"_s, u"info"_s, false);
}

void tst_PrivateFiles::cleanupTestCase()
{
    ::umask(m_umask);
}

// agenthive, started on a data directory of mode 0755 that another app holds: it stops at the
// lock, but by then its log is made (umask 077) and the directory is narrowed.
void tst_PrivateFiles::agenthiveMakesPrivateFiles()
{
    const QString data = newDir(u"app-data"_s);
    QCOMPARE(::chmod(QFile::encodeName(data).constData(), 0755), 0);
    QLockFile held(QDir(data).filePath(u"agenthive.lock"_s));
    QVERIFY(held.tryLock(0));
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, m_root.filePath(u"home"_s));
    env.insert(u"XDG_CONFIG_HOME"_s, m_root.filePath(u"home/.config"_s));
    app.setProcessEnvironment(env);
    app.start(bin(u"agenthive"_s),
              {u"--headless"_s, u"--data-dir"_s, data, u"--api-port"_s, u"0"_s});
    QVERIFY(app.waitForFinished(60000));
    const QByteArray err = app.readAllStandardError();
    QCOMPARE(app.exitCode(), 1);
    QVERIFY2(err.contains("already using"), err.constData());
    const QString log = QDir(data).filePath(u"logs/agenthive.log"_s);
    QVERIFY(QFileInfo::exists(log));
    QCOMPARE(mode(log) & 077, 0u);
    QCOMPARE(mode(QDir(data).filePath(u"logs"_s)) & 077, 0u);
    QCOMPARE(mode(data) & 077 & ~allowedDataDirBits(), 0u);
    QVERIFY2(readAll(log).contains("made private"), readAll(log).constData());
}

// hive-runner, given an API URL it cannot use: it stops, but its log is made first.
void tst_PrivateFiles::runnerMakesPrivateFiles()
{
    const QString data = m_root.filePath(u"runner-data"_s); // made by the runner itself
    QProcess runner;
    runner.start(bin(u"hive-runner"_s),
                 {u"--agent"_s,
                  u"a1"_s,
                  u"--data-dir"_s,
                  data,
                  u"--api-url"_s,
                  u"mysql://nowhere/x"_s,
                  u"--redis-url"_s,
                  u"redis://127.0.0.1:1/0"_s});
    QVERIFY(runner.waitForFinished(60000));
    QCOMPARE(runner.exitCode(), 1);
    const QString log = QDir(data).filePath(u"logs/runner-a1.log"_s);
    QVERIFY(QFileInfo::exists(log));
    QCOMPARE(mode(log) & 077, 0u);
    QCOMPARE(mode(QDir(data).filePath(u"logs"_s)) & 077, 0u);
    QCOMPARE(mode(data) & 077, 0u);
}

void tst_PrivateFiles::dataDirIsNarrowedAtStart()
{
    const QString data = newDir(u"lock-data"_s);
    const std::initializer_list<std::pair<const char *, mode_t>> modes{
        {"", 0755}, {"logs", 0755}, {"workspace", 0777}, {"agents", 0750}, {"profiles", 0755}};
    for (const auto &[sub, bits] : modes) {
        const QString path = QDir(data).filePath(QString::fromLatin1(sub));
        QDir().mkpath(path);
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), bits), 0);
    }
    DataDirLock lock(data);
    QVERIFY_OK(lock.acquire());
    lock.release();
    QCOMPARE(mode(data) & 077 & ~allowedDataDirBits(), 0u);
    QCOMPARE(mode(data) & 0700, 0700u);
    for (const char *sub : {"logs", "workspace", "agents"})
        QCOMPARE(mode(QDir(data).filePath(QString::fromLatin1(sub))), 0700u);
    Logging::get("app")->flush();
    const QByteArray log = readAll(m_root.filePath(u"test-logs/test.log"_s));
    QVERIFY2(log.contains(QByteArray(data.toUtf8()
                                     + " was open to other users (mode 755): made "
                                       "private")),
             log.constData());
    QVERIFY(log.contains(QByteArray(QDir(data).filePath(u"workspace"_s).toUtf8() + " was open")));
    // Already private: nothing to say.
    const qsizetype before = log.size();
    QVERIFY_OK(DataDirLock::makePrivate(data));
    Logging::get("app")->flush();
    QCOMPARE(readAll(m_root.filePath(u"test-logs/test.log"_s)).size(), before);
}

// A token others could read is spent: a new one replaces it (not a chmod of the old one).
void tst_PrivateFiles::exposedTokenIsReplaced()
{
    const QString dir = newDir(u"token"_s);
    const QString file = ApiToken::path(dir);
    auto first = ApiToken::loadOrCreate(dir);
    QVERIFY_OK(first);
    QCOMPARE(mode(file), 0600u);
    QCOMPARE(*ApiToken::loadOrCreate(dir), *first);
    QVERIFY(QFile::setPermissions(
        file, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    auto second = ApiToken::loadOrCreate(dir);
    QVERIFY_OK(second);
    QVERIFY(*second != *first);
    QCOMPARE(mode(file), 0600u);
    QCOMPARE(readAll(file).trimmed(), second->toLatin1());
    // Group-readable is readable by others too.
    QCOMPARE(::chmod(QFile::encodeName(file).constData(), 0640), 0);
    auto third = ApiToken::loadOrCreate(dir);
    QVERIFY_OK(third);
    QVERIFY(*third != *second);
    QCOMPARE(mode(file), 0600u);
    Logging::get("api")->flush();
    QVERIFY(readAll(m_root.filePath(u"test-logs/test.log"_s))
                .contains(QByteArray(file.toUtf8() + " was open to other users")));
}

// Whatever the umask, the token's file is 0600, and no temporary file is left beside it.
void tst_PrivateFiles::tokenIsPrivateUnderAnyUmask()
{
    const QString dir = newDir(u"token-umask"_s);
    const mode_t old = ::umask(0);
    auto made = ApiToken::loadOrCreate(dir);
    auto again = ApiToken::regenerate(dir);
    ::umask(old);
    QVERIFY_OK(made);
    QVERIFY_OK(again);
    QCOMPARE(mode(ApiToken::path(dir)), 0600u);
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System),
             QStringList{u"api-token"_s});
}

// A token file replaced by one others can read (a user's cp, an editor) does not count: it is
// replaced at once with a new one.
void tst_PrivateFiles::watchedTokenMadeReadableIsSpent()
{
    const QString dir = newDir(u"token-watch"_s);
    ApiToken token(dir);
    QVERIFY_OK(token.load());
    token.watch();
    const QByteArray planted = QByteArray(64, 'a');
    {
        QFile f(dir + u"/planted"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(planted + '\n');
    }
    QCOMPARE(::chmod(QFile::encodeName(dir + u"/planted"_s).constData(), 0644), 0);
    QCOMPARE(::rename(QFile::encodeName(dir + u"/planted"_s).constData(),
                      QFile::encodeName(ApiToken::path(dir)).constData()),
             0);
    QTRY_VERIFY_WITH_TIMEOUT(mode(ApiToken::path(dir)) == 0600u, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(token.value(), readAll(ApiToken::path(dir)).trimmed(), 10000);
    QVERIFY(token.value() != planted);
    token.stopWatching();
}

// docker-compose.yml as YAML (parsed by perl's core CPAN::Meta::YAML into JSON; docker itself is
// not here): no password written in it, Redis asks for one, every port on 127.0.0.1 only.
void tst_PrivateFiles::composeHasNoFixedPasswords()
{
    const QString compose = sourceDir() + u"/docker-compose.yml"_s;
    QVERIFY(QFileInfo::exists(compose));
    QProcess perl;
    perl.start(u"perl"_s,
               {u"-MCPAN::Meta::YAML"_s,
                u"-MJSON::PP"_s,
                u"-e"_s,
                u"my $y = CPAN::Meta::YAML->read($ARGV[0]) or die CPAN::Meta::YAML->errstr; "
                "print JSON::PP->new->canonical->encode($y->[0])"_s,
                compose});
    QVERIFY(perl.waitForFinished(30000));
    QVERIFY2(perl.exitCode() == 0, perl.readAllStandardError().constData());
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(perl.readAllStandardOutput(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject services = doc.value(u"services"_s).toObject();
    QVERIFY(services.contains(u"postgres"_s) && services.contains(u"redis"_s));

    // Every value that names a password comes from .env, and must be there (${VAR:?…}).
    const QRegularExpression fromEnv(u"^\\$\\{HIVE_[A-Z_]+:\\?[^}]+\\}$"_s);
    const QRegularExpression passwordKey(u"PASSWORD|PASS$|SECRET"_s);
    int passwords = 0;
    for (const QString &name : services.keys()) {
        const QJsonObject service = services.value(name).toObject();
        const QJsonObject env = service.value(u"environment"_s).toObject();
        for (const QString &key : env.keys()) {
            if (!passwordKey.match(key).hasMatch())
                continue;
            ++passwords;
            QVERIFY2(fromEnv.match(env.value(key).toString()).hasMatch(),
                     qPrintable(u"%1: %2 is %3"_s.arg(name, key, env.value(key).toString())));
        }
        for (const QJsonValue &port : service.value(u"ports"_s).toArray())
            QVERIFY2(port.toString().startsWith(u"127.0.0.1:"_s), qPrintable(port.toString()));
    }
    QCOMPARE(passwords, 2); // PostgreSQL's and Redis'
    // Redis requires it, from its environment, not on a command line `ps` shows.
    const QJsonObject redis = services.value(u"redis"_s).toObject();
    const QString command
        = QString::fromUtf8(QJsonDocument(redis.value(u"command"_s).toArray()).toJson());
    QVERIFY2(command.contains(u"requirepass $$REDIS_PASSWORD"_s), qPrintable(command));
    QVERIFY2(!command.contains(u"--requirepass"_s), qPrintable(command));
    QVERIFY(redis.value(u"environment"_s).toObject().contains(u"REDIS_PASSWORD"_s));
    // Nothing like the old hive/hive anywhere in the file.
    const QString text = QString::fromUtf8(readAll(compose));
    QVERIFY(!text.contains(u"hive:hive@"_s));
    QVERIFY(!QRegularExpression(u"PASSWORD\\s*[:=]\\s*['\"]?hive\\b"_s).match(text).hasMatch());
}

// packaging/compose-secrets writes .env once, mode 0600 under a umask of 022, with every
// variable docker-compose.yml needs, random, and the URLs agenthive reads.
void tst_PrivateFiles::composeSecretsArePrivate()
{
    const QString dir = newDir(u"compose"_s);
    const QString script = sourceDir() + u"/packaging/compose-secrets"_s;
    auto run = [&] {
        QProcess p;
        p.start(script, {dir});
        return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit
               && p.exitCode() == 0;
    };
    QVERIFY(run());
    const QString envFile = dir + u"/.env"_s;
    QCOMPARE(mode(envFile), 0600u);
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden), QStringList{u".env"_s});
    const QByteArray first = readAll(envFile);
    QHash<QString, QString> vars;
    for (const QByteArray &line : first.split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (!line.startsWith('#') && eq > 0)
            vars.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    const QRegularExpression secret(u"^[0-9a-f]{64}$"_s);
    QVERIFY(secret.match(vars.value(u"HIVE_POSTGRES_PASSWORD"_s)).hasMatch());
    QVERIFY(secret.match(vars.value(u"HIVE_REDIS_PASSWORD"_s)).hasMatch());
    QVERIFY(vars.value(u"HIVE_POSTGRES_PASSWORD"_s) != vars.value(u"HIVE_REDIS_PASSWORD"_s));
    QCOMPARE(
        vars.value(u"HIVE_DATABASE_URL"_s),
        u"postgresql://hive:%1@127.0.0.1:5432/hive"_s.arg(vars.value(u"HIVE_POSTGRES_PASSWORD"_s)));
    QCOMPARE(vars.value(u"HIVE_REDIS_URL"_s),
             u"redis://:%1@127.0.0.1:6379/0"_s.arg(vars.value(u"HIVE_REDIS_PASSWORD"_s)));
    // Every variable the compose file takes is in it.
    const QString compose = QString::fromUtf8(readAll(sourceDir() + u"/docker-compose.yml"_s));
    auto it = QRegularExpression(u"(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)"_s).globalMatch(compose);
    QSet<QString> used;
    while (it.hasNext())
        used.insert(it.next().captured(1));
    QVERIFY(!used.isEmpty());
    for (const QString &v : used)
        QVERIFY2(vars.contains(v), qPrintable(v));
    // Written once: a second run keeps it (and keeps it private).
    QCOMPARE(::chmod(QFile::encodeName(envFile).constData(), 0644), 0);
    QVERIFY(run());
    QCOMPARE(readAll(envFile), first);
    QCOMPARE(mode(envFile), 0600u);
    // Another checkout gets other passwords.
    const QString other = newDir(u"compose-2"_s);
    QProcess p;
    p.start(script, {other});
    QVERIFY(p.waitForFinished(30000));
    QVERIFY(readAll(other + u"/.env"_s) != first);
}

QTEST_GUILESS_MAIN(tst_PrivateFiles)
#include "tst_privatefiles.moc"
