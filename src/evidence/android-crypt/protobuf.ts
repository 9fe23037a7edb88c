/**
 * A minimal protobuf wire-format reader: varints, fixed 32/64-bit values and length-delimited fields. Enough
 * for WhatsApp's `BackupPrefix`, whose field set changes between app versions: every field is read by its
 * number, fields this reader does not know are skipped (their number and wire type kept for the notes).
 */
export interface PbField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  /** Varints (as bigint, values may exceed 2^53), and fixed values. */
  int?: bigint;
  /** Length-delimited payload (bytes, string or a nested message). */
  bytes?: Buffer;
}

export class ProtobufError extends Error {}

function readVarint(buf: Buffer, pos: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= buf.length) throw new ProtobufError(`varint runs past the end at byte ${pos}`);
    const b = buf[pos + i];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
    shift += 7n;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${pos}`);
}

/** Every field of one message, in order (repeated numbers appear several times). */
export function parseMessage(buf: Buffer): PbField[] {
  const out: PbField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (field === 0) throw new ProtobufError('field number 0');
    switch (wire) {
      case 0: {
        const v = readVarint(buf, pos);
        out.push({ field, wire, int: v.value });
        pos = v.next;
        break;
      }
      case 1:
        if (pos + 8 > buf.length) throw new ProtobufError(`field ${field}: fixed64 past the end`);
        out.push({ field, wire, int: buf.readBigUInt64LE(pos) });
        pos += 8;
        break;
      case 5:
        if (pos + 4 > buf.length) throw new ProtobufError(`field ${field}: fixed32 past the end`);
        out.push({ field, wire, int: BigInt(buf.readUInt32LE(pos)) });
        pos += 4;
        break;
      case 2: {
        const len = readVarint(buf, pos);
        pos = len.next;
        const end = pos + Number(len.value);
        if (len.value > BigInt(buf.length) || end > buf.length)
          throw new ProtobufError(`field ${field}: length ${len.value} runs past the end`);
        out.push({ field, wire, bytes: buf.subarray(pos, end) });
        pos = end;
        break;
      }
      default:
        // Groups (3, 4) are long deprecated and never used here; anything else is not protobuf.
        throw new ProtobufError(`field ${field}: unsupported wire type ${wire}`);
    }
  }
  return out;
}

export function first(fields: PbField[], n: number): PbField | undefined {
  return fields.find((f) => f.field === n);
}
