import Table from 'cli-table3';

/**
 * cli-table3 characters for a borderless table: columns two spaces apart and
 * a rule (`-`) wherever a row separator is drawn (under the header).
 */
export const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '-',
  'mid-mid': '  ',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * A borderless table (BORDERLESS), no cell padding, its header cells
 * aligned to the bottom (so a two-line header lines up), with the given
 * column alignments.
 */
export function borderlessTable(head: readonly string[], colAligns: readonly Table.HorizontalAlignment[]): Table.Table {
  return new Table({
    head: [...head],
    chars: BORDERLESS,
    colAligns: [...colAligns],
    rowAligns: ['bottom'],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
}
