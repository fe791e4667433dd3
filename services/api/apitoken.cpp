// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apitoken.h"

#include "services/core/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QRandomGenerator>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

constexpr qsizetype kMinTokenLength = 32; // 128 bits as hex

// RFC 6750's token68 characters: what fits in "Authorization: Bearer …" unquoted.
bool isValidToken(const QByteArray &t)
{
    if (t.size() < kMinTokenLength || t.size() > 1024)
        return false;
    for (char c : t) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
                        || c == '=';
        if (!ok)
            return false;
    }
    return true;
}

// 256 bits from the operating system's generator, hex-encoded; written so that the file never
// exists with a mode other than 0600 (QSaveFile: a temporary file, restricted, renamed in place).
Result<QString> writeNewToken(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return failure(u"cannot create the data directory %1"_s.arg(dataDir));
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray token
        = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    const QString path = ApiToken::path(dataDir);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    if (!f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        f.cancelWriting();
        return failure(u"cannot make %1 private (mode 0600): %2"_s.arg(path, f.errorString()));
    }
    f.write(token + '\n');
    if (!f.commit())
        return failure(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return QString::fromLatin1(token);
}

} // namespace

ApiToken::ApiToken(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
{}

QString ApiToken::path(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"api-token"_s);
}

Result<> ApiToken::load()
{
    auto token = loadOrCreate(m_dataDir);
    if (!token)
        return failure(token.error());
    QMutexLocker lock(&m_mutex);
    m_token = token->toLatin1();
    return {};
}

QByteArray ApiToken::value() const
{
    QMutexLocker lock(&m_mutex);
    return m_token;
}

void ApiToken::watch()
{
    // The directory too: a file replaced by a rename is a new file, which the watcher of the old
    // one does not see.
    m_watcher = new QFileSystemWatcher(this);
    m_watcher->addPath(path(m_dataDir));
    m_watcher->addPath(m_dataDir);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &ApiToken::reload);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &ApiToken::reload);
}

void ApiToken::stopWatching()
{
    delete m_watcher;
    m_watcher = nullptr;
}

void ApiToken::reload()
{
    const QString file = path(m_dataDir);
    if (m_watcher && QFileInfo::exists(file) && !m_watcher->files().contains(file))
        m_watcher->addPath(file); // a renamed-over file is a new file to watch
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return; // gone for a moment (being replaced): keep the one we have
    const QByteArray t = f.readAll().trimmed();
    if (t.size() < kMinTokenLength)
        return;
    QMutexLocker lock(&m_mutex);
    if (t != m_token) {
        m_token = t;
        Logging::get("api")->info("the API token was replaced ({})", file);
    }
}

Result<QString> ApiToken::loadOrCreate(const QString &dataDir)
{
    const QString file = path(dataDir);
    QFile f(file);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return failure(u"cannot read %1: %2"_s.arg(file, f.errorString()));
        const QByteArray token = f.read(4096).trimmed();
        f.close();
        if (!token.isEmpty()) {
            if (!isValidToken(token))
                return failure(
                    u"%1 does not hold a usable token (at least %2 characters of A-Z, a-z, 0-9 and "
                    "-._~+/=); delete it and a new one is made"_s.arg(file)
                        .arg(kMinTokenLength));
            const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
                                | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                | QFileDevice::WriteOther | QFileDevice::ExeOther;
            if (f.permissions() & others) {
                Logging::get("api")->warn("{} could be read by others: made private (0600)", file);
                f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            }
            return QString::fromLatin1(token);
        }
        // An empty file (a crash while it was made, or the user emptied it): make a new token.
    }
    return writeNewToken(dataDir);
}

Result<QString> ApiToken::regenerate(const QString &dataDir)
{
    return writeNewToken(dataDir);
}

} // namespace Hive
