// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/spawndialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// The spawn dialog checks what is typed as it is typed, with tmux's session-name rule, and keeps OK
// disabled (with a message saying why) while anything is wrong.
class tst_SpawnDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void nameRule_data();
    void nameRule();
    void typedNameEnablesOk_data();
    void typedNameEnablesOk();
    void countNamesAgents();
    void countMakesTooLongNames();
    void takenNamesAreRefused();
    void typeIsChecked();
    void profileSetsTheKind();
    void workerNeedsAPromptProfile();
    void folderAndRepository();
    void requestCarriesEverything();

private:
    SpawnDialog *makeDialog();
    QLineEdit *nameEdit(SpawnDialog *d) { return d->findChild<QLineEdit *>(u"nameEdit"_s); }
    QPushButton *okButton(SpawnDialog *d)
    {
        return d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    QList<SpawnDialog::ProfileChoice> m_profiles;
};

void tst_SpawnDialog::initTestCase()
{
    m_profiles = {
        {u"claude"_s, u"Claude Code, one prompt per task"_s, false, true, true},
        {u"claude-interactive"_s, u"Claude Code in its terminal"_s, true, true, false},
        {u"mine"_s, {}, false, false, true},
    };
}

SpawnDialog *tst_SpawnDialog::makeDialog()
{
    auto *d = new SpawnDialog(m_profiles);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->show();
    return d;
}

void tst_SpawnDialog::nameRule_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << u"worker"_s << true;
    QTest::newRow("digits first") << u"1st"_s << true;
    QTest::newRow("dash underscore") << u"web_ui-2"_s << true;
    QTest::newRow("one char") << u"a"_s << true;
    QTest::newRow("64 chars") << QString(64, u'x') << true;
    QTest::newRow("65 chars") << QString(65, u'x') << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("dash first") << u"-a"_s << false;
    QTest::newRow("underscore first") << u"_a"_s << false;
    QTest::newRow("space") << u"my agent"_s << false;
    QTest::newRow("dot") << u"a.b"_s << false;
    QTest::newRow("colon") << u"a:b"_s << false;
    QTest::newRow("equals") << u"=a"_s << false;
    QTest::newRow("unicode") << u"agént"_s << false;
}

void tst_SpawnDialog::nameRule()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(SpawnDialog::isValidName(name), valid);
}

void tst_SpawnDialog::typedNameEnablesOk_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<bool>("ok");
    QTest::newRow("good") << u"reviewer-1"_s << true;
    QTest::newRow("space") << u"bad name"_s << false;
    QTest::newRow("dot") << u"v1.2"_s << false;
    QTest::newRow("leading dash") << u"-x"_s << false;
}

void tst_SpawnDialog::typedNameEnablesOk()
{
    QFETCH(QString, typed);
    QFETCH(bool, ok);
    SpawnDialog *d = makeDialog();
    QVERIFY(okButton(d)->isEnabled()); // empty name: the engine picks one
    QLineEdit *edit = nameEdit(d);
    edit->setFocus();
    QTest::keyClicks(edit, typed);
    QCOMPARE(edit->text(), typed);
    QCOMPARE(okButton(d)->isEnabled(), ok);
    QCOMPARE(d->isValid(), ok);
    auto *message = d->findChild<QLabel *>(u"problemLabel"_s);
    QCOMPARE(message->text().isEmpty(), ok);
    if (!ok)
        QVERIFY(message->text().contains(u"letters, digits"_s));
    // Correcting the name as one types enables OK again.
    edit->clear();
    QTest::keyClicks(edit, u"fine"_s);
    QVERIFY(okButton(d)->isEnabled());
    d->close();
}

void tst_SpawnDialog::countNamesAgents()
{
    SpawnDialog::Request r;
    r.name = u"web"_s;
    r.count = 1;
    QCOMPARE(r.names(), QStringList{u"web"_s});
    r.count = 3;
    QCOMPARE(r.names(), (QStringList{u"web-1"_s, u"web-2"_s, u"web-3"_s}));
    r.name.clear();
    QCOMPARE(r.names(), (QStringList{QString(), QString(), QString()}));

    SpawnDialog *d = makeDialog();
    QTest::keyClicks(nameEdit(d), u"web"_s);
    d->findChild<QSpinBox *>(u"countSpin"_s)->setValue(3);
    QCOMPARE(d->request().names(), (QStringList{u"web-1"_s, u"web-2"_s, u"web-3"_s}));
    QVERIFY(okButton(d)->isEnabled());
    d->close();
}

void tst_SpawnDialog::countMakesTooLongNames()
{
    SpawnDialog *d = makeDialog();
    nameEdit(d)->setText(QString(63, u'n'));
    QVERIFY(okButton(d)->isEnabled());
    d->findChild<QSpinBox *>(u"countSpin"_s)->setValue(2); // n…n-1 is 65 characters
    QVERIFY(!okButton(d)->isEnabled());
    QVERIFY(d->problem().contains(u"too long"_s));
    d->close();
}

void tst_SpawnDialog::takenNamesAreRefused()
{
    SpawnDialog *d = makeDialog();
    d->setTakenNames({u"alpha"_s, u"beta-2"_s});
    QTest::keyClicks(nameEdit(d), u"alpha"_s);
    QVERIFY(!okButton(d)->isEnabled());
    QVERIFY(d->problem().contains(u"already running"_s));
    nameEdit(d)->setText(u"beta"_s);
    QVERIFY(okButton(d)->isEnabled());
    d->findChild<QSpinBox *>(u"countSpin"_s)->setValue(2); // beta-2 is taken
    QVERIFY(!okButton(d)->isEnabled());
    d->close();
}

void tst_SpawnDialog::typeIsChecked()
{
    SpawnDialog *d = makeDialog();
    auto *type = d->findChild<QComboBox *>(u"typeEdit"_s);
    QCOMPARE(type->currentText(), u"dev"_s);
    type->setEditText(u"Dev"_s);
    QVERIFY(!okButton(d)->isEnabled());
    type->setEditText(QString());
    QVERIFY(!okButton(d)->isEnabled());
    type->setEditText(u"review"_s);
    QVERIFY(okButton(d)->isEnabled());
    d->setKnownTypes({u"ops"_s, u"review"_s});
    QCOMPARE(type->count(), 3);
    QCOMPARE(type->currentText(), u"review"_s);
    d->close();
}

void tst_SpawnDialog::profileSetsTheKind()
{
    SpawnDialog *d = makeDialog();
    auto *profile = d->findChild<QComboBox *>(u"profileCombo"_s);
    auto *interactive = d->findChild<QRadioButton *>(u"interactiveRadio"_s);
    QCOMPARE(profile->count(), 3);
    QVERIFY(profile->itemText(2).contains(u"mine"_s));
    d->setDefaultProfile(u"claude-interactive"_s);
    QVERIFY(interactive->isChecked());
    QCOMPARE(d->request().profile, u"claude-interactive"_s);
    d->setDefaultProfile(u"claude"_s);
    QVERIFY(!interactive->isChecked());
    QVERIFY(!d->request().interactive);
    d->close();
}

void tst_SpawnDialog::workerNeedsAPromptProfile()
{
    SpawnDialog *d = makeDialog();
    d->setDefaultProfile(u"claude-interactive"_s);
    QVERIFY(okButton(d)->isEnabled());
    d->findChild<QRadioButton *>(u"workerRadio"_s)->setChecked(true);
    QVERIFY(!okButton(d)->isEnabled());
    QVERIFY(d->problem().contains(u"{prompt}"_s));
    d->close();
}

void tst_SpawnDialog::folderAndRepository()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SpawnDialog *d = makeDialog();
    SpawnDialog::Request r = d->request();
    r.workplace = SpawnDialog::Workplace::ExistingFolder;
    r.path.clear();
    d->setRequest(r);
    QVERIFY(!okButton(d)->isEnabled()); // no folder chosen
    auto *path = d->findChild<QLineEdit *>(u"pathEdit"_s);
    QTest::keyClicks(path, dir.path() + u"/missing"_s);
    QVERIFY(!okButton(d)->isEnabled());
    QVERIFY(d->problem().contains(u"not an existing folder"_s));
    path->setText(dir.path());
    QVERIFY(okButton(d)->isEnabled());
    QCOMPARE(d->request().path, dir.path());

    r = d->request();
    r.workplace = SpawnDialog::Workplace::Repository;
    d->setRequest(r);
    QVERIFY(!okButton(d)->isEnabled());
    QVERIFY(d->problem().contains(u"git"_s));
    QVERIFY(QDir(dir.path()).mkdir(u".git"_s));
    path->setText(dir.path() + u"/"_s); // revalidated as typed
    QVERIFY(okButton(d)->isEnabled());
    QCOMPARE(d->request().workplace, SpawnDialog::Workplace::Repository);
    d->close();
}

void tst_SpawnDialog::requestCarriesEverything()
{
    SpawnDialog *d = makeDialog();
    d->setDefaultProfile(u"mine"_s);
    d->findChild<QComboBox *>(u"typeEdit"_s)->setEditText(u"review"_s);
    QTest::keyClicks(nameEdit(d), u"rev"_s);
    d->findChild<QSpinBox *>(u"countSpin"_s)->setValue(2);
    QTest::mouseClick(okButton(d), Qt::LeftButton);
    QCOMPARE(d->result(), int(QDialog::Accepted));
    const SpawnDialog::Request r = d->request();
    QCOMPARE(r.type, u"review"_s);
    QCOMPARE(r.profile, u"mine"_s);
    QCOMPARE(r.workplace, SpawnDialog::Workplace::OwnFolder);
    QVERIFY(!r.interactive);
    QCOMPARE(r.names(), (QStringList{u"rev-1"_s, u"rev-2"_s}));
}

QTEST_MAIN(tst_SpawnDialog)
#include "tst_spawndialog.moc"
