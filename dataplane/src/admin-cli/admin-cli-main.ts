import { AdminClient, type AdminResult } from './admin-client.js';
import {
  formatFailure,
  formatGroupDetail,
  formatGroupLag,
  formatGroupList,
  formatMessage,
  formatMessageList,
  formatOffsetReset,
  formatTopicDetail,
  formatTopicList,
} from './format.js';
import { formatTimers } from './format-timers.js';
import { formatTransactions } from './format-transactions.js';
import { ADMIN_USAGE, type AdminInvocation, parseCommand } from './parse-command.js';

/** Exit codes: the command did what it was asked, the broker refused or could not be reached, the command is wrong. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/**
 * `rocketry admin [--server URL] [--token T] [--json] topic|message|group …`: one call to the broker's admin API.
 * Resolves with the exit code; the caller sets it, so that pending output is flushed before the process ends.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(argv, process.env);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(ADMIN_USAGE);
      return EXIT_OK;
    case 'usage-error':
      process.stderr.write(`rocketry admin: ${parsed.message}\n\n${ADMIN_USAGE}`);
      return EXIT_USAGE;
    case 'run':
      return run(parsed.invocation);
  }
}

async function run(invocation: AdminInvocation): Promise<number> {
  const { command, json, server } = invocation;
  const client = new AdminClient({ server, ...(invocation.token !== undefined && { token: invocation.token }) });
  const print = <T>(result: AdminResult<T>, render: (value: T) => string): number => {
    if (!result.ok) {
      process.stderr.write(formatFailure(result.failure, server));
      return EXIT_FAILED;
    }
    const text = json
      ? result.json === null
        ? ''
        : `${JSON.stringify(result.json, null, 2)}\n`
      : render(result.value);
    process.stdout.write(text);
    return EXIT_OK;
  };
  switch (command.kind) {
    case 'topic-list':
      return print(await client.listTopics(), formatTopicList);
    case 'topic-get':
      return print(await client.getTopic(command.topic), formatTopicDetail);
    case 'topic-put':
      return print(
        await client.putTopic(command.topic, command.spec),
        ({ created, topic }) => `${created ? 'created' : 'updated'} topic ${topic.name}\n\n${formatTopicDetail(topic)}`,
      );
    case 'topic-delete':
      return print(await client.deleteTopic(command.topic), () => `deleted topic ${command.topic}\n`);
    case 'message-get':
      return print(await client.getMessage(command.messageId, command.topic), formatMessage);
    case 'message-find':
      return print(await client.findMessages(command.topic, command.key), (messages) =>
        formatMessageList(messages, command.topic, command.key),
      );
    case 'group-list':
      return print(await client.listGroups(), formatGroupList);
    case 'group-get':
      return print(await client.getGroup(command.group), formatGroupDetail);
    case 'group-put':
      return print(
        await client.putGroup(command.group, command.spec),
        ({ created, group }) => `${created ? 'created' : 'updated'} group ${group.name}\n\n${formatGroupDetail(group)}`,
      );
    case 'group-delete':
      return print(await client.deleteGroup(command.group), () => `deleted group ${command.group}\n`);
    case 'group-lag':
      return print(await client.groupLag(command.group), formatGroupLag);
    case 'group-reset':
      return print(await client.resetOffsets(command.group, command.reset), formatOffsetReset);
    case 'transaction-list':
      return print(await client.listTransactions(command.topic), (rows) => formatTransactions(rows, command.topic));
    case 'timer-list':
      return print(await client.listTimers(command.topic), (rows) => formatTimers(rows, command.topic));
  }
}
