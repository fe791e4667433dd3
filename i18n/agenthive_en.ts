<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Hive::AgentPanel</name>
    <message numerus="yes">
        <source>Remove %n lost agents from the list?</source>
        <translation>
            <numerusform>Remove the lost agent from the list?</numerusform>
            <numerusform>Remove %n lost agents from the list?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Kill %n agents?</source>
        <translation>
            <numerusform>Kill %n agent?</numerusform>
            <numerusform>Kill %n agents?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Its running task goes back to the queue, for another agent of the same type.</source>
        <translation>
            <numerusform>Its running task goes back to the queue, for another agent of the same type.</numerusform>
            <numerusform>Their running tasks go back to the queue, for other agents of the same type.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Restart %n agents?</source>
        <translation>
            <numerusform>Restart %n agent?</numerusform>
            <numerusform>Restart %n agents?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Hive::MainWindow</name>
    <message numerus="yes">
        <source>Agent Hive (%n waiting for input)</source>
        <translation>
            <numerusform>Agent Hive (%n waiting for input)</numerusform>
            <numerusform>Agent Hive (%n waiting for input)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Spawning %n agent(s)…</source>
        <translation>
            <numerusform>Spawning %n agent…</numerusform>
            <numerusform>Spawning %n agents…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Hive::NewTaskDialog</name>
    <message numerus="yes">
        <source>It waits until %n task(s) succeeded.</source>
        <translation>
            <numerusform>It waits until %n task succeeded.</numerusform>
            <numerusform>It waits until %n tasks succeeded.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Hive::Notifier</name>
    <message numerus="yes">
        <source>%n task(s) finished; nothing is queued or running.</source>
        <translation>
            <numerusform>%n task finished; nothing is queued or running.</numerusform>
            <numerusform>%n tasks finished; nothing is queued or running.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Hive::TrayIcon</name>
    <message numerus="yes">
        <source>%n agent(s): %1</source>
        <translation>
            <numerusform>%n agent: %1</numerusform>
            <numerusform>%n agents: %1</numerusform>
        </translation>
    </message>
</context>
</TS>
