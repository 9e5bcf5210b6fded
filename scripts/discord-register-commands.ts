import { loadConfig } from '../src/config.ts';
import { DISCORD_COMMANDS } from '../src/integrations/discord/commands.ts';
import { discordClientFromConfig } from '../src/integrations/discord/integration.ts';

/**
 * Registers Backline's slash commands with the Discord application (PUT /applications/{id}/commands, which
 * replaces the whole list): run it once after creating the application, and after upgrades that change
 * the commands. Needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN; see docs/assistant.md.
 */
const config = loadConfig();
if (!config.DISCORD_APPLICATION_ID || !config.DISCORD_BOT_TOKEN) {
  console.error('Set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (see docs/assistant.md).');
  process.exit(1);
}
const registered = await discordClientFromConfig(config).registerCommands(config.DISCORD_APPLICATION_ID, DISCORD_COMMANDS);
console.log(`Registered ${registered.length} commands: ${DISCORD_COMMANDS.map((command) => `/${command.name}`).join(', ')}`);
