/**
 * ppl-hmm's subcommands. Each is loaded only when it runs (`ppl-hmm --help`
 * loads none of them, nor tfjs). A new subcommand is one entry here and a
 * module whose `run(argv)` does the work.
 */

/** What a subcommand's module exports. */
export interface Command {
  /** Runs the subcommand on its arguments (after the subcommand's name); throws DataError for the user's mistakes. */
  run(argv: string[]): Promise<void>;
}

/** A subcommand: its usage line and how to load it. */
export interface CommandEntry {
  usage: string;
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  fit: {
    usage: "ppl-hmm fit <data.csv | data.tsv | data.json | --data FILE> [options]",
    summary: "fit a Gaussian HMM to one or more sequences, decode their states, write params.json, states.csv and figures",
    load: () => import("./fit/command.js"),
  },
  disaggregate: {
    usage: "ppl-hmm disaggregate DATA.csv --appliances A,B,... --train-until TIME [--mains NAME] [--out DIR] [options]",
    summary: "learn a factorial HMM from sub-metered training rows, split the later rows' mains into the appliances",
    load: () => import("./disaggregate/command.js"),
  },
};
