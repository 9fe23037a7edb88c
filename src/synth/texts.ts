import type { Rng } from './random.js';

/**
 * Word lists for made-up profile names, group subjects and chat lines. Names are common given names
 * with an initial: they stand for no one. Lines in flagged groups are deliberately bland (greetings,
 * rules, invite links); nothing describes any material.
 */
const GIVEN: Record<string, string[]> = {
  es: [
    'Lucía',
    'Mateo',
    'Sofía',
    'Hugo',
    'Martina',
    'Pablo',
    'Carmen',
    'Diego',
    'Elena',
    'Álvaro',
    'Nerea',
    'Iker',
  ],
  it: ['Giulia', 'Marco', 'Chiara', 'Luca', 'Francesca', 'Matteo', 'Sara', 'Davide', 'Elisa', 'Paolo'],
  de: ['Lena', 'Jonas', 'Mia', 'Lukas', 'Hannah', 'Felix', 'Anna', 'Tobias', 'Jana', 'Niklas'],
  fr: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Manon', 'Théo', 'Léa', 'Antoine', 'Inès', 'Julien'],
  pt: ['Beatriz', 'João', 'Mariana', 'Tiago', 'Inês', 'Rafael', 'Ana', 'Duarte'],
  nl: ['Sanne', 'Daan', 'Fleur', 'Bram', 'Lotte', 'Sem', 'Noor', 'Thijs'],
};
const LETTERS = 'ABCDEFGHIJKLMNOPRSTVZ';

export function languageOf(country: string): keyof typeof GIVEN {
  switch (country) {
    case 'IT':
      return 'it';
    case 'DE':
      return 'de';
    case 'FR':
      return 'fr';
    case 'PT':
      return 'pt';
    case 'NL':
      return 'nl';
    default:
      return 'es';
  }
}

export function profileName(rng: Rng, country: string): string {
  const given = rng.pick(GIVEN[languageOf(country)]);
  return rng.chance(0.7) ? `${given} ${rng.pick([...LETTERS])}.` : given;
}

const FLAGGED_SUBJECTS = [
  'Grupo privado',
  'Solo invitados',
  'Archivo',
  'Intercambio',
  'Club 16',
  'Colección',
  'Los amigos',
  'Zona norte',
  'Nuevos',
  'Reservado',
  'Gruppo chiuso',
  'Scambi',
  'Privat',
  'Tausch',
  'Private club',
  'Members only',
  'Vault',
];
const SUBJECT_TAILS = ['', ' 2', ' II', ' ✓', ' 🔒', ' (nuevo)', ' 2016', ' VIP', ' B'];
const COLON_SUBJECTS = [
  'Reglas: leer antes',
  'Solo invitados: sin charla',
  'Backup: grupo',
  'Info: nuevo enlace',
];

const HARMLESS_SUBJECTS = [
  'Fútbol domingos',
  'Familia ⚽',
  'Vecinos portal 3',
  'Calcetto giovedì',
  'Fußball Dienstag',
  'Pádel martes',
  'Cumpleaños abuela',
  'Cena viernes',
  'Famiglia',
  'Nachbarn',
  'Running club',
  'Clase de inglés',
  'Asado sábado',
  'Pesca',
];

/** Subjects are made unique by the caller (they key exports: `export:<subject>`). */
export function flaggedSubject(rng: Rng, withColon: boolean): string {
  if (withColon) return rng.pick(COLON_SUBJECTS);
  return rng.pick(FLAGGED_SUBJECTS) + rng.pick(SUBJECT_TAILS);
}

export function harmlessSubject(rng: Rng): string {
  return rng.pick(HARMLESS_SUBJECTS);
}

const FLAGGED_LINES = [
  'hola',
  'gracias',
  'bienvenido',
  'buenas',
  '👍',
  'ok',
  'más?',
  'alguien?',
  'ciao',
  'grazie',
  'danke',
  'hallo',
  'thanks',
  'new here',
  'nada de charla',
  'recuerden las reglas',
  'saludos desde el sur',
  '🙏',
];
const RULES = [
  'Reglas del grupo:\n1. Nada de charla\n2. Quien no comparte sale\n3. No compartir el enlace',
  'Rules:\n- no chat\n- share or leave\n- no screenshots',
];
const HARMLESS_LINES = [
  '¿Quién viene el domingo?',
  'Yo llevo el balón',
  'Feliz cumpleaños!! 🎂',
  'Llego 10 min tarde',
  'Qué partido ayer',
  '¿A qué hora quedamos?',
  'Chi porta le bibite?',
  'Ci vediamo alle 8',
  'Wer kommt am Dienstag?',
  'Bis später!',
  'Alguien tiene las llaves del trastero?',
  'Se cortó el agua en el portal',
  'Gracias a todos 😊',
  'jajaja',
  'Buenos días',
  'See you there',
];
const HARMLESS_MULTI = [
  'Lista para la cena:\n- pan\n- queso\n- bebidas',
  'Convocatoria domingo:\nPortero: Iker\nDefensas: Pablo, Diego\nEl resto rotamos',
  'Recordatorio:\nreunión de vecinos el jueves\na las 19:30 en el portal',
];

export function flaggedText(rng: Rng): string {
  return rng.chance(0.04) ? rng.pick(RULES) : rng.pick(FLAGGED_LINES);
}

export function harmlessText(rng: Rng): string {
  return rng.chance(0.06) ? rng.pick(HARMLESS_MULTI) : rng.pick(HARMLESS_LINES);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function inviteLink(rng: Rng): string {
  let code = '';
  for (let i = 0; i < 22; i++) code += rng.pick([...B64URL]);
  return `https://chat.whatsapp.com/${code}`;
}

const SAVED = ['Paco taller', 'Toni gym', 'Marco lavoro', 'Primo Luis', 'Kiko bar', 'Vecino 2B', 'Jefe obra'];
export function savedContactName(rng: Rng, taken: Set<string>): string {
  for (let i = 0; ; i++) {
    const base = rng.pick(SAVED);
    const name = i < 10 ? base : `${base} ${i}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}
