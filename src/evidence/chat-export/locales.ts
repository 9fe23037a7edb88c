/**
 * The language-dependent part of "Export chat" text, as one data table. WhatsApp documents none of these
 * strings and rewords them between app versions, so each rule matches on stable parts and several
 * variants are listed; add a language by adding one entry to `LOCALES`.
 *
 * Template syntax (compiled to anchored, case-insensitive regular expressions):
 *   {actor} {targets} {value} {old}   captured parts; `"` any quote (" “ ” « » „); `'` ' or ’;
 *   `…` any trailing text; a space is any run of spaces (incl. U+00A0, U+202F); `(a|b)` alternatives,
 *   `(x)?` optional. A final period is always optional (German and newer Spanish lines end with one).
 */
import type { MembershipEventType, MessageKind } from '../../model/types.js';

export interface SystemRule {
  type: MembershipEventType;
  /** A template (see above) or a ready regular expression with the same named groups. */
  t: string | RegExp;
  /** The phrase itself says the owner is the actor ("Añadiste a …") or the target ("te añadió"). */
  you?: 'actor' | 'targets';
}

export interface LocaleTable {
  id: string;
  /** Words standing for the exporting phone's owner, as actor or target. */
  you: string[];
  /** Joins the last two names of a target list ("Ana, Boris and Carlos"). */
  and: string[];
  system: SystemRule[];
  /** Whole-text markers of a deleted message. */
  deleted: string[];
  /** Chat file names: `<prefix><subject>.txt|.zip`. */
  fileNames: string[];
}

// Order inside `system` matters: specific phrases first, generic ones (`{actor} left`) last.
export const LOCALES: LocaleTable[] = [
  {
    id: 'en',
    you: ['You', 'you'],
    and: ['and', '&'],
    system: [
      {
        type: 'encryption_notice',
        t: /^Messages (and calls )?(to this (group|chat) )?.*end-to-end encrypt/i,
      },
      { type: 'encryption_notice', t: /^Messages you send to this (group|chat).*end-to-end encrypt/i },
      { type: 'security_code_changed', t: 'Your security code with {targets} changed…' },
      { type: 'security_code_changed', t: "{targets}'s security code changed…" },
      { type: 'number_changed', t: '{actor} changed their phone number…' },
      { type: 'number_changed', t: '{actor} changed to {value}' },
      { type: 'subject_changed', t: '{actor} changed the (subject|group name) from "{old}" to "{value}"' },
      { type: 'subject_changed', t: '{actor} changed the (subject|group name) to "{value}"' },
      { type: 'icon_changed', t: "{actor} (changed|deleted|removed) (this group's|the group) (icon|photo)" },
      { type: 'description_changed', t: '{actor} (changed|deleted) the group description' },
      { type: 'invite_link_reset', t: "{actor} reset this group's invite link" },
      { type: 'settings_changed', t: "{actor} changed (this group's|the group) settings…" },
      { type: 'created', t: '{actor} created (the )?group "{value}"' },
      { type: 'created', t: '{actor} created this group' },
      { type: 'joined_via_link', t: "{actor} joined using this group's invite link" },
      { type: 'joined_via_link', t: '{actor} joined (using|via|from) (a|the) (group|invite) link' },
      { type: 'admin_promoted', t: "You('| a)re now an admin", you: 'targets' },
      { type: 'admin_promoted', t: '{targets} (is|are) now (an )?admin(s)?' },
      { type: 'admin_demoted', t: "You('| a)re no longer an admin", you: 'targets' },
      { type: 'admin_demoted', t: '{targets} (is|are) no longer (an )?admin(s)?' },
      { type: 'added', t: '{actor} added {targets}' },
      { type: 'removed', t: '{actor} removed {targets}' },
      { type: 'left', t: '{actor} left' },
    ],
    deleted: ['This message was deleted', 'You deleted this message'],
    fileNames: ['WhatsApp Chat with ', 'WhatsApp Chat - '],
  },
  {
    id: 'fr',
    you: ['Vous', 'vous'],
    and: ['et'],
    system: [
      { type: 'encryption_notice', t: /chiffr[ée]+s? de bout en bout/i },
      { type: 'security_code_changed', t: 'Votre code de sécurité avec {targets} a changé…' },
      { type: 'security_code_changed', t: 'Le code de sécurité de {targets} a changé…' },
      { type: 'number_changed', t: '{actor} a changé (son numéro|de numéro)…' },
      {
        type: 'subject_changed',
        t: '{actor} (a|avez) (changé|modifié) (le sujet|le nom du groupe) de "{old}" (à|en|pour) "{value}"',
      },
      {
        type: 'subject_changed',
        t: '{actor} (a|avez) (changé|modifié) (le sujet|le nom du groupe) (en|pour) "{value}"',
      },
      {
        type: 'icon_changed',
        t: "{actor} (a|avez) (changé|modifié|supprimé) (l'icône|la photo|l'image) (de ce|du) groupe",
      },
      {
        type: 'description_changed',
        t: '{actor} (a|avez) (changé|modifié|supprimé) la description du groupe',
      },
      { type: 'invite_link_reset', t: "{actor} (a|avez) réinitialisé le lien d'invitation…" },
      { type: 'settings_changed', t: '{actor} (a|avez) (changé|modifié) les paramètres…' },
      { type: 'created', t: '{actor} (a|avez) créé (le )?groupe "{value}"' },
      { type: 'created', t: '{actor} (a|avez) créé ce groupe' },
      { type: 'joined_via_link', t: "{actor} (a rejoint|s'est joint(e)?|avez rejoint)… lien d'invitation…" },
      { type: 'admin_promoted', t: '{targets} (est|êtes) maintenant (un )?admin(istrateur)?' },
      { type: 'admin_demoted', t: "{targets} (n'est|n'êtes) plus admin(istrateur)?" },
      { type: 'added', t: '{actor} vous a ajouté(e)?', you: 'targets' },
      { type: 'added', t: '{actor} (a|avez) ajouté {targets}' },
      { type: 'removed', t: '{actor} vous a retiré(e)?', you: 'targets' },
      { type: 'removed', t: '{actor} (a|avez) retiré {targets}' },
      { type: 'left', t: '{actor} (est|êtes) parti(e)?(s)?' },
      { type: 'left', t: '{actor} (a|avez) quitté (le|ce) groupe' },
    ],
    deleted: ['Ce message a été supprimé', 'Vous avez supprimé ce message'],
    fileNames: ['Discussion WhatsApp avec '],
  },
  {
    id: 'es',
    you: ['Tú', 'tú', 'Usted', 'usted', 'ti'],
    and: ['y', 'e'],
    system: [
      { type: 'encryption_notice', t: /cifrad[oa]s? de extremo a extremo/i },
      { type: 'security_code_changed', t: 'Tu código de seguridad con {targets} cambió…' },
      { type: 'security_code_changed', t: 'El código de seguridad de {targets} cambió…' },
      { type: 'number_changed', t: '{actor} cambió (su número|a un número nuevo)…' },
      {
        type: 'subject_changed',
        t: '(Tú |Usted )?Cambiaste (el asunto|el nombre del grupo) de "{old}" a "{value}"',
        you: 'actor',
      },
      {
        type: 'subject_changed',
        t: '(Tú |Usted )?Cambiaste (el asunto|el nombre del grupo) a "{value}"',
        you: 'actor',
      },
      { type: 'subject_changed', t: '{actor} cambió (el asunto|el nombre del grupo) de "{old}" a "{value}"' },
      { type: 'subject_changed', t: '{actor} cambió (el asunto|el nombre del grupo) a "{value}"' },
      {
        type: 'icon_changed',
        t: '(Tú |Usted )?(Cambiaste|Eliminaste) (el ícono|el icono|la imagen) de este grupo',
        you: 'actor',
      },
      { type: 'icon_changed', t: '{actor} (cambió|eliminó) (el ícono|el icono|la imagen) de este grupo' },
      {
        type: 'description_changed',
        t: '(Tú |Usted )?(Cambiaste|Eliminaste) la descripción del grupo',
        you: 'actor',
      },
      { type: 'description_changed', t: '{actor} (cambió|eliminó) la descripción del grupo' },
      { type: 'invite_link_reset', t: '{actor} restableció el enlace de invitación…' },
      { type: 'settings_changed', t: '{actor} cambió (los ajustes|la configuración)…' },
      { type: 'created', t: '(Tú |Usted )?Creaste (el )?grupo "{value}"', you: 'actor' },
      { type: 'created', t: '{actor} creó (el )?grupo "{value}"' },
      { type: 'created', t: '{actor} creó este grupo' },
      { type: 'joined_via_link', t: '{actor} se unió… enlace de invitación…' },
      { type: 'admin_promoted', t: 'Ahora eres admin(istrador)?', you: 'targets' },
      { type: 'admin_promoted', t: '{targets} ahora (es|son) admin(istrador)?(es)?' },
      { type: 'admin_demoted', t: 'Ya no eres admin(istrador)?', you: 'targets' },
      { type: 'admin_demoted', t: '{targets} ya no (es|son) admin(istrador)?(es)?' },
      { type: 'added', t: '(Tú |Usted )?(Añadiste|Agregaste) a {targets}', you: 'actor' },
      { type: 'added', t: '{actor} te (añadió|agregó)', you: 'targets' },
      { type: 'added', t: '{actor} (añadió|agregó) (a )?{targets}' },
      { type: 'removed', t: '(Tú |Usted )?Eliminaste a {targets}', you: 'actor' },
      { type: 'removed', t: '{actor} te eliminó', you: 'targets' },
      { type: 'removed', t: '{actor} eliminó a {targets}' },
      { type: 'left', t: '(Tú |Usted )?Saliste( del grupo)?', you: 'actor' },
      { type: 'left', t: '{actor} salió( del grupo)?' },
    ],
    deleted: ['Se eliminó este mensaje', 'Eliminaste este mensaje', 'Este mensaje fue eliminado'],
    fileNames: ['Chat de WhatsApp con '],
  },
  {
    id: 'it',
    you: ['Tu', 'tu', 'te'],
    and: ['e'],
    system: [
      { type: 'encryption_notice', t: /crittografa?t[io]? end-to-end|crittografia end-to-end/i },
      { type: 'security_code_changed', t: 'Il tuo codice di sicurezza con {targets} è cambiato…' },
      { type: 'security_code_changed', t: 'Il codice di sicurezza di {targets} è cambiato…' },
      { type: 'number_changed', t: '{actor} ha cambiato (il suo |il )?numero…' },
      {
        type: 'subject_changed',
        t: 'Hai (cambiato|modificato) (l\'oggetto|il nome del gruppo) da "{old}" (a|in) "{value}"',
        you: 'actor',
      },
      {
        type: 'subject_changed',
        t: 'Hai (cambiato|modificato) (l\'oggetto|il nome del gruppo) in "{value}"',
        you: 'actor',
      },
      {
        type: 'subject_changed',
        t: '{actor} ha (cambiato|modificato) (l\'oggetto|il nome del gruppo) da "{old}" (a|in) "{value}"',
      },
      {
        type: 'subject_changed',
        t: '{actor} ha (cambiato|modificato) (l\'oggetto|il nome del gruppo) in "{value}"',
      },
      {
        type: 'icon_changed',
        t: "Hai (cambiato|eliminato) (l'immagine|l'icona) (di questo|del) gruppo",
        you: 'actor',
      },
      {
        type: 'icon_changed',
        t: "{actor} ha (cambiato|eliminato) (l'immagine|l'icona) (di questo|del) gruppo",
      },
      {
        type: 'description_changed',
        t: '(Hai|{actor} ha) (cambiato|modificato|eliminato) la descrizione del gruppo',
      },
      { type: 'invite_link_reset', t: "{actor} ha reimpostato il link (d'invito|di invito)…" },
      { type: 'settings_changed', t: '{actor} ha (cambiato|modificato) le impostazioni…' },
      { type: 'created', t: 'Hai creato (il )?gruppo "{value}"', you: 'actor' },
      { type: 'created', t: '{actor} ha creato (il )?gruppo "{value}"' },
      { type: 'created', t: '{actor} ha creato questo gruppo' },
      {
        type: 'joined_via_link',
        t: "{actor} (si è unit(o|a)|sei entrat(o|a)|è entrat(o|a))… link (d'invito|di invito)…",
      },
      { type: 'admin_promoted', t: 'Ora sei (un )?amministratore', you: 'targets' },
      { type: 'admin_promoted', t: '{targets} (ora è|è ora) (un )?(amministratore|admin)' },
      { type: 'admin_demoted', t: 'Non sei più (un )?amministratore', you: 'targets' },
      { type: 'admin_demoted', t: '{targets} non è più (un )?(amministratore|admin)' },
      { type: 'added', t: 'Hai aggiunto {targets}', you: 'actor' },
      { type: 'added', t: '{actor} ti ha aggiunto', you: 'targets' },
      { type: 'added', t: '{actor} ha aggiunto {targets}' },
      { type: 'removed', t: 'Hai rimosso {targets}', you: 'actor' },
      { type: 'removed', t: '{actor} ti ha rimosso', you: 'targets' },
      { type: 'removed', t: '{actor} ha rimosso {targets}' },
      { type: 'left', t: 'Sei uscit(o|a)', you: 'actor' },
      { type: 'left', t: '{actor} (è uscit(o|a)|ha abbandonato( il gruppo)?)' },
    ],
    deleted: ['Questo messaggio è stato eliminato', 'Hai eliminato questo messaggio'],
    fileNames: ['Chat WhatsApp con ', 'Chat di WhatsApp con '],
  },
  {
    id: 'de',
    you: ['Du', 'du', 'Sie', 'dich', 'dir', 'Ihnen'],
    and: ['und'],
    system: [
      { type: 'encryption_notice', t: /Ende-zu-Ende-verschlüsselt/i },
      {
        type: 'security_code_changed',
        t: '(Deine|Ihre) Sicherheits(nummer|code) (für|mit) {targets} hat sich geändert…',
      },
      { type: 'security_code_changed', t: 'Die Sicherheits(nummer|code) von {targets} hat sich geändert…' },
      { type: 'security_code_changed', t: 'Der Sicherheitscode von {targets} hat sich geändert…' },
      { type: 'number_changed', t: '{actor} hat (seine|ihre|die) Telefonnummer… geändert…' },
      { type: 'number_changed', t: '{actor} hat zu einer neuen Nummer gewechselt…' },
      {
        type: 'subject_changed',
        t: '{actor} (hat|hast|haben) (den Betreff|den Gruppennamen) von "{old}" (zu|in) "{value}" geändert',
      },
      {
        type: 'subject_changed',
        t: '{actor} (hat|hast|haben) (den Betreff|den Gruppennamen) (zu|in) "{value}" geändert',
      },
      {
        type: 'icon_changed',
        t: '{actor} (hat|hast|haben) (das Gruppenbild|das Bild dieser Gruppe|das Gruppensymbol) (geändert|gelöscht|entfernt)',
      },
      {
        type: 'description_changed',
        t: '{actor} (hat|hast|haben) die Gruppenbeschreibung (geändert|gelöscht)',
      },
      { type: 'invite_link_reset', t: '{actor} (hat|hast|haben) den Einladungslink… zurückgesetzt' },
      { type: 'settings_changed', t: '{actor} (hat|hast|haben) die (Gruppen)?einstellungen… geändert…' },
      { type: 'created', t: '{actor} (hat|hast|haben) (die )?Gruppe "{value}" erstellt' },
      { type: 'created', t: '{actor} (hat|hast|haben) diese Gruppe erstellt' },
      { type: 'joined_via_link', t: '{actor} (ist|bist|sind|hat|hast)… Einladungslink… beigetreten' },
      { type: 'admin_promoted', t: '{targets} (ist|bist|sind) (jetzt|nun) (ein )?Admin' },
      { type: 'admin_demoted', t: '{targets} (ist|bist|sind) kein Admin mehr' },
      { type: 'added', t: '{actor} (hat|hast|haben) {targets} hinzugefügt' },
      { type: 'removed', t: '{actor} (hat|hast|haben) {targets} entfernt' },
      { type: 'left', t: '{actor} (hat|hast|haben) die Gruppe verlassen' },
      { type: 'left', t: '{actor} (ist|bist|sind) ausgetreten' },
    ],
    deleted: ['Diese Nachricht wurde gelöscht', 'Du hast diese Nachricht gelöscht'],
    fileNames: ['WhatsApp Chat mit ', 'WhatsApp-Chat mit '],
  },
  {
    id: 'pt',
    you: ['Você', 'você'],
    and: ['e'],
    system: [
      { type: 'encryption_notice', t: /criptografia de ponta a ponta|protegidas com a criptografia/i },
      { type: 'security_code_changed', t: 'Seu código de segurança com {targets} (mudou|foi alterado)…' },
      { type: 'security_code_changed', t: 'O código de segurança de {targets} (mudou|foi alterado)…' },
      { type: 'number_changed', t: '{actor} (mudou|alterou) (seu número|para um novo número)…' },
      {
        type: 'subject_changed',
        t: '{actor} (mudou|alterou) (o assunto|o nome do grupo) de "{old}" para "{value}"',
      },
      { type: 'subject_changed', t: '{actor} (mudou|alterou) (o assunto|o nome do grupo) para "{value}"' },
      {
        type: 'icon_changed',
        t: '{actor} (mudou|alterou|apagou|removeu) (a imagem|o ícone|a foto) (deste|do) grupo',
      },
      { type: 'description_changed', t: '{actor} (mudou|alterou|apagou) a descrição do grupo' },
      { type: 'invite_link_reset', t: '{actor} redefiniu o link de convite…' },
      { type: 'settings_changed', t: '{actor} (mudou|alterou) as configurações…' },
      { type: 'created', t: '{actor} criou (o )?grupo "{value}"' },
      { type: 'created', t: '{actor} criou este grupo' },
      { type: 'joined_via_link', t: '{actor} entrou… link de convite…' },
      { type: 'admin_promoted', t: '{targets} agora (é|são) (um )?admin(istrador)?' },
      { type: 'admin_demoted', t: '{targets} não (é|são) mais (um )?admin(istrador)?' },
      { type: 'added', t: '{actor} te adicionou', you: 'targets' },
      { type: 'added', t: '{actor} adicionou {targets}' },
      { type: 'removed', t: '{actor} te removeu', you: 'targets' },
      { type: 'removed', t: '{actor} removeu {targets}' },
      { type: 'left', t: '{actor} saiu( do grupo)?' },
    ],
    deleted: ['Mensagem apagada', 'Esta mensagem foi apagada', 'Você apagou esta mensagem'],
    fileNames: ['Conversa do WhatsApp com '],
  },
  {
    id: 'nl',
    you: ['Jij', 'jij', 'U', 'u', 'Je', 'je', 'jou'],
    and: ['en'],
    system: [
      { type: 'encryption_notice', t: /end-to-end ?versleuteld|end-to-endversleuteling/i },
      { type: 'security_code_changed', t: '(Je|Uw) beveiligingscode met {targets} is gewijzigd…' },
      { type: 'security_code_changed', t: 'De beveiligingscode van {targets} is gewijzigd…' },
      { type: 'number_changed', t: '{actor} heeft (zijn|haar|het) telefoonnummer gewijzigd…' },
      { type: 'number_changed', t: '{actor} is overgestapt naar een nieuw nummer…' },
      {
        type: 'subject_changed',
        t: '{actor} (heeft|hebt) (de onderwerpnaam|het onderwerp|de groepsnaam) gewijzigd van "{old}" (naar|in) "{value}"',
      },
      {
        type: 'subject_changed',
        t: '{actor} (heeft|hebt) (de onderwerpnaam|het onderwerp|de groepsnaam) gewijzigd (naar|in) "{value}"',
      },
      {
        type: 'icon_changed',
        t: '{actor} (heeft|hebt) (de afbeelding van deze groep|het groepspictogram|de groepsafbeelding) (gewijzigd|verwijderd)',
      },
      { type: 'description_changed', t: '{actor} (heeft|hebt) de groepsbeschrijving (gewijzigd|verwijderd)' },
      {
        type: 'invite_link_reset',
        t: '{actor} (heeft|hebt) de uitnodigingslink… (opnieuw ingesteld|gereset)',
      },
      { type: 'settings_changed', t: '{actor} (heeft|hebt) de (groeps)?instellingen… gewijzigd…' },
      { type: 'created', t: '{actor} (heeft|hebt) (de )?groep "{value}" (aangemaakt|gemaakt)' },
      { type: 'created', t: '{actor} (heeft|hebt) deze groep (aangemaakt|gemaakt)' },
      {
        type: 'joined_via_link',
        t: '{actor} (neemt deel|is lid geworden|heeft zich aangesloten)… uitnodigingslink…',
      },
      { type: 'admin_promoted', t: '{targets} (is|bent|ben|zijn) nu (een )?beheerder(s)?' },
      { type: 'admin_demoted', t: '{targets} (is|bent|ben|zijn) geen beheerder(s)? meer' },
      { type: 'added', t: '{actor} (heeft|hebt) {targets} toegevoegd' },
      { type: 'removed', t: '{actor} (heeft|hebt) {targets} verwijderd' },
      { type: 'left', t: '{actor} (heeft|hebt) de groep verlaten' },
      { type: 'left', t: '{actor} (is|bent) vertrokken' },
    ],
    deleted: ['Dit bericht is verwijderd', 'Je hebt dit bericht verwijderd'],
    fileNames: ['WhatsApp-chat met ', 'WhatsApp chat met '],
  },
];

/** Locale hints (command line) whose phones write month first; every other known hint writes day first. */
export const MONTH_FIRST_HINTS = ['en-US', 'en-PH', 'en-CA'];
export const DAY_FIRST_HINTS = ['en-GB', 'en-AU', 'en-IN', 'en-IE', 'fr', 'es', 'it', 'de', 'pt', 'nl'];

// ---- media placeholders (every language at once: a file may mix them after a phone language change) ----

const ATTACHED_ANDROID = [
  'file attached',
  'fichier joint',
  'Datei angehängt',
  'archivo adjunto',
  'file allegato',
  'arquivo anexado',
  'bestand bijgevoegd',
];
const ATTACHED_IOS = [
  'attached',
  'adjunto',
  'pièce jointe',
  'allegato',
  'Anhang',
  'anexado',
  'anexo',
  'bijlage',
  'bijgevoegd',
];

const alt = (xs: string[]) => xs.map(escapeRe).join('|');

/** Android: `NAME (file attached)`, documents `NAME • 3 pages (file attached)`; a caption may follow. */
export const ANDROID_ATTACHED = new RegExp(
  `^(?<name>[^\\n]+?)(?<doc>\\s+•\\s+[^\\n()]*?)?\\s+\\((?:${alt(ATTACHED_ANDROID)})\\)`,
  'iu',
);
/** iOS: `<attached: 00000042-PHOTO-….jpg>` anywhere in the text (documents put their title before it). */
export const IOS_ATTACHED = new RegExp(`<(?:${alt(ATTACHED_IOS)})\\s*:\\s*(?<name>[^>\\n]+?)\\s*>`, 'iu');
/** Older iOS: `2015-08-04-PHOTO-00004762.jpg <attached>`. */
export const IOS_OLD_ATTACHED = new RegExp(`^(?<name>\\S+\\.\\w{2,5})\\s+<(?:${alt(ATTACHED_IOS)})>`, 'iu');

/** Android, media left out of the export. */
export const ANDROID_OMITTED =
  /^<\s*(media|médias|medias|multimedia|multimédia|archivo|mídia|midia|medien|medios)\s+(omitted|omis|omitid[oa]|ocult[ao]|omitid[ao]s|ausgeschlossen|ausgelassen|weggelassen|omess[io]|eliminati|weggelaten)\s*>$/iu;

const OMITTED_NOUNS: [string, MessageKind][] = [
  ['image|imagen|imagem|immagine|bild|afbeelding|foto|photo', 'image'],
  ['video|vidéo|vídeo', 'video'],
  ['audio|áudio', 'audio'],
  ['sticker|autocollant|figurinha|adesivo', 'sticker'],
  ['gif', 'gif'],
  ['document|documento|dokument', 'document'],
  [
    'contact card|tarjeta de contacto|carte de contact|fiche contact|kontaktkarte|scheda contatto|scheda del contatto|cartão de contato|cartão de contacto|contactkaart|contact',
    'contact',
  ],
];
const OMITTED_VERBS =
  'omitted|omitid[oa]|absente?|omise?|weggelassen|ausgelassen|entfernt|omess[oa]|ocultad[oa]|oculto|weggelaten';
/** iOS, media left out: `image omitted`, `imagen omitida`, `Bild weggelassen`… */
export const IOS_OMITTED = new RegExp(
  `^(?:${OMITTED_NOUNS.map(([n], i) => `(?<n${i}>${n})`).join('|')})\\s+(?:${OMITTED_VERBS})$`,
  'iu',
);
export function omittedKind(m: RegExpExecArray): MessageKind {
  for (let i = 0; i < OMITTED_NOUNS.length; i++) if (m.groups?.[`n${i}`]) return OMITTED_NOUNS[i]![1];
  return 'other';
}

/** Kind of an attachment from its file name: WhatsApp names say it (`IMG-`, `-PHOTO-`), else the extension. */
export function kindFromFileName(name: string): MessageKind {
  const n = name.toUpperCase();
  if (/(^|-)STK-|-STICKER-/.test(n)) return 'sticker';
  if (/-GIF-|^GIF-/.test(n)) return 'gif';
  if (/^PTT-|^AUD-|-AUDIO-/.test(n)) return 'audio';
  if (/^VID-|-VIDEO-/.test(n)) return 'video';
  if (/^IMG-|-PHOTO-/.test(n)) return 'image';
  const ext = n.slice(n.lastIndexOf('.') + 1);
  if (['JPG', 'JPEG', 'PNG', 'HEIC', 'HEIF', 'BMP'].includes(ext)) return 'image';
  if (ext === 'WEBP') return 'sticker';
  if (ext === 'GIF') return 'gif';
  if (['MP4', 'MOV', '3GP', 'MKV', 'AVI', 'WEBM'].includes(ext)) return 'video';
  if (['OPUS', 'OGG', 'M4A', 'MP3', 'AAC', 'AMR', 'WAV'].includes(ext)) return 'audio';
  if (ext === 'VCF') return 'contact';
  return 'document';
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  heic: 'image/heic',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  amr: 'audio/amr',
  vcf: 'text/vcard',
  pdf: 'application/pdf',
  txt: 'text/plain',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};
export function mimeFromFileName(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : (MIME[name.slice(dot + 1).toLowerCase()] ?? null);
}

// ---- compiled system rules ----

export interface CompiledRule extends SystemRule {
  re: RegExp;
  locale: LocaleTable;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileTemplate(t: string): RegExp {
  let re = '';
  const parts = t.split(/(\{\w+\}|"|'|…| |\(|\)\?|\)|\|)/);
  for (const p of parts) {
    if (!p) continue;
    if (p === '{actor}') re += '(?<actor>.+?)';
    else if (p === '{targets}') re += '(?<targets>.+?)';
    else if (p === '{value}') re += '(?<value>.*?)';
    else if (p === '{old}') re += '(?<old>.*?)';
    else if (p === '"') re += '\\s*["“”«»„]\\s*';
    else if (p === "'") re += "['’]";
    else if (p === '…') re += '.*';
    else if (p === ' ') re += '\\s+';
    else if (p === '(') re += '(?:';
    else if (p === ')' || p === ')?' || p === '|') re += p;
    else re += escapeRe(p);
  }
  // Optional spaces around a group that may be absent ("(the )?group") are already inside the group.
  return new RegExp(`^${re}\\s*\\.?$`, 'iu');
}

export const COMPILED: CompiledRule[] = LOCALES.flatMap((locale) =>
  locale.system.map((r) => ({ ...r, locale, re: typeof r.t === 'string' ? compileTemplate(r.t) : r.t })),
);

export const DELETED = new RegExp(
  `^(?:${LOCALES.flatMap((l) => l.deleted)
    .map(escapeRe)
    .join('|')})\\.?$`,
  'iu',
);

/** `WhatsApp Chat with X.txt` → `X` in every known language; null when the name is not a chat name. */
export function subjectFromFileName(base: string): string | null {
  const stem = base.replace(/\.(txt|zip)$/i, '');
  for (const l of LOCALES) {
    for (const prefix of l.fileNames) {
      if (stem.toLowerCase().startsWith(prefix.toLowerCase()) && stem.length > prefix.length) {
        return stem.slice(prefix.length).trim();
      }
    }
  }
  return null;
}
