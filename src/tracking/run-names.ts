/** Readable random run names, as MLflow gives a run created without one ("bold-owl-417"). */

const ADJECTIVES = (
  'able amazing ambitious amusing agreeable brave bright bold bustling calm capable caring charming clean ' +
  'clever colorful crawling dapper debonair delicate dazzling eager efficient enchanting fearless fun ' +
  'funny gentle gifted glamorous grandiose handsome honorable industrious intelligent judicious kindly ' +
  'languid likeable loud luminous magnificent marvelous merciful mysterious nebulous nimble omniscient ' +
  'orderly painted peaceful polite placid powerful puzzled quirky redolent resilient respected rogue ' +
  'rumbling salty secretive selective serious sincere skillful smiling spiffy stately sneaky stylish ' +
  'suave thoughtful trusting unequaled unruly upbeat valuable victorious vibrant wise worried youthful zealous'
).split(' ');

const NOUNS = (
  'ant ape asp auk bass bat bear bee bird boar bug calf carp cat chimp cod colt conch cow crab crane croc ' +
  'crow cub deer doe dog dolphin donkey dove duck eel elk fawn finch fish flea fly foal fowl fox frog gnat ' +
  'gnu goat goose grouse grub gull hare hawk hen hog horse hound jay kit kite koi lamb lark loon lynx mare ' +
  'midge mink mole moose moth mouse mule newt owl ox panda perch pig pony pug quail ram rat ray robin ' +
  'roo rook seal shad shark sheep shoat shrew skink skunk sloth slug snail snake sow stag steed stoat ' +
  'swan tern toad trout turtle vole wasp whale wolf worm wren yak zebra'
).split(' ');

function pick<T>(list: readonly T[], random: Uint32Array, i: number): T {
  return list[random[i] % list.length];
}

/** A fresh name like "bold-owl-417". */
export function randomRunName(): string {
  const random = crypto.getRandomValues(new Uint32Array(3));
  return `${pick(ADJECTIVES, random, 0)}-${pick(NOUNS, random, 1)}-${random[2] % 1000}`;
}
