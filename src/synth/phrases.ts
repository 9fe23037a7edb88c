/**
 * Every localized string the export writer emits, in one table: system lines, attachment
 * placeholders, file names. Wording follows exports seen in public parsers' fixtures and issues
 * (docs/whatsapp-formats.md §1); WhatsApp itself changes it between versions.
 * Placeholders: {a} actor, {t} targets, {s} subject, {o} previous subject, {f} file name.
 */
export type Lang = 'en' | 'es' | 'it' | 'de' | 'fr' | 'pt' | 'nl';

export interface Phrases {
  created: string;
  added: string;
  joined: string;
  left: string;
  removed: string;
  subject: string;
  promoted: string;
  demoted: string;
  encrypted: string;
  and: string;
  androidAttached: string;
  androidOmitted: string;
  iosAttached: string;
  iosOmitted: string;
  androidChatName: string;
}

export const PHRASES: Record<Lang, Phrases> = {
  en: {
    created: '{a} created group "{s}"',
    added: '{a} added {t}',
    joined: "{a} joined using this group's invite link",
    left: '{a} left',
    removed: '{a} removed {t}',
    subject: '{a} changed the subject from "{o}" to "{s}"',
    promoted: '{t} is now an admin',
    demoted: '{t} is no longer an admin',
    encrypted:
      'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.',
    and: 'and',
    androidAttached: '{f} (file attached)',
    androidOmitted: '<Media omitted>',
    iosAttached: '<attached: {f}>',
    iosOmitted: 'image omitted',
    androidChatName: 'WhatsApp Chat with {s}',
  },
  es: {
    created: '{a} creó el grupo "{s}"',
    added: '{a} añadió a {t}',
    joined: '{a} se unió usando el enlace de invitación de este grupo',
    left: '{a} salió del grupo',
    removed: '{a} eliminó a {t}',
    subject: '{a} cambió el asunto de "{o}" a "{s}"',
    promoted: '{t} ahora es admin.',
    demoted: '{t} ya no es admin.',
    encrypted:
      'Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos.',
    and: 'y',
    androidAttached: '{f} (archivo adjunto)',
    androidOmitted: '<Multimedia omitido>',
    iosAttached: '<adjunto: {f}>',
    iosOmitted: 'imagen omitida',
    androidChatName: 'Chat de WhatsApp con {s}',
  },
  it: {
    created: '{a} ha creato il gruppo "{s}"',
    added: '{a} ha aggiunto {t}',
    joined: "{a} si è unito tramite il link d'invito a questo gruppo",
    left: '{a} è uscito',
    removed: '{a} ha rimosso {t}',
    subject: '{a} ha cambiato l\'oggetto da "{o}" a "{s}"',
    promoted: '{t} è ora un amministratore',
    demoted: '{t} non è più un amministratore',
    encrypted:
      'I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerli o ascoltarli.',
    and: 'e',
    androidAttached: '{f} (file allegato)',
    androidOmitted: '<Media omessi>',
    iosAttached: '<allegato: {f}>',
    iosOmitted: 'immagine omessa',
    androidChatName: 'Chat WhatsApp con {s}',
  },
  de: {
    created: '{a} hat die Gruppe "{s}" erstellt.',
    added: '{a} hat {t} hinzugefügt.',
    joined: '{a} ist der Gruppe über den Einladungslink beigetreten.',
    left: '{a} hat die Gruppe verlassen.',
    removed: '{a} hat {t} entfernt.',
    subject: '{a} hat den Betreff von "{o}" zu "{s}" geändert.',
    promoted: '{t} ist jetzt Admin.',
    demoted: '{t} ist kein Admin mehr.',
    encrypted:
      'Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp.',
    and: 'und',
    androidAttached: '{f} (Datei angehängt)',
    androidOmitted: '<Medien ausgeschlossen>',
    iosAttached: '<Anhang: {f}>',
    iosOmitted: 'Bild weggelassen',
    androidChatName: 'WhatsApp Chat mit {s}',
  },
  fr: {
    created: '{a} a créé le groupe "{s}"',
    added: '{a} a ajouté {t}',
    joined: "{a} a rejoint ce groupe via le lien d'invitation",
    left: '{a} est parti',
    removed: '{a} a retiré {t}',
    subject: '{a} a modifié le sujet de "{o}" en "{s}"',
    promoted: '{t} est maintenant admin',
    demoted: "{t} n'est plus admin",
    encrypted:
      'Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, ne peut les lire ou les écouter.',
    and: 'et',
    androidAttached: '{f} (fichier joint)',
    androidOmitted: '<Médias omis>',
    iosAttached: '<pièce jointe : {f}>',
    iosOmitted: 'image absente',
    androidChatName: 'Discussion WhatsApp avec {s}',
  },
  pt: {
    created: '{a} criou o grupo "{s}"',
    added: '{a} adicionou {t}',
    joined: '{a} entrou usando o link de convite deste grupo',
    left: '{a} saiu',
    removed: '{a} removeu {t}',
    subject: '{a} mudou o assunto de "{o}" para "{s}"',
    promoted: '{t} agora é admin',
    demoted: '{t} não é mais admin',
    encrypted:
      'As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta. Ninguém fora desta conversa, nem mesmo o WhatsApp, pode lê-las ou ouvi-las.',
    and: 'e',
    androidAttached: '{f} (arquivo anexado)',
    androidOmitted: '<Mídia oculta>',
    iosAttached: '<anexado: {f}>',
    iosOmitted: 'imagem ocultada',
    androidChatName: 'Conversa do WhatsApp com {s}',
  },
  nl: {
    created: '{a} heeft groep "{s}" aangemaakt',
    added: '{a} heeft {t} toegevoegd',
    joined: '{a} neemt deel via de uitnodigingslink van deze groep',
    left: '{a} heeft de groep verlaten',
    removed: '{a} heeft {t} verwijderd',
    subject: '{a} heeft het onderwerp gewijzigd van "{o}" naar "{s}"',
    promoted: '{t} is nu beheerder',
    demoted: '{t} is geen beheerder meer',
    encrypted:
      'Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat, zelfs WhatsApp niet, kan ze lezen of beluisteren.',
    and: 'en',
    androidAttached: '{f} (bestand bijgevoegd)',
    androidOmitted: '<Media weggelaten>',
    iosAttached: '<bijgevoegd: {f}>',
    iosOmitted: 'afbeelding weggelaten',
    androidChatName: 'WhatsApp-chat met {s}',
  },
};

export function langOf(locale: string): Lang {
  const l = locale.slice(0, 2) as Lang;
  return l in PHRASES ? l : 'en';
}

export function fill(template: string, vars: Partial<Record<'a' | 't' | 's' | 'o' | 'f', string>>): string {
  return template.replace(/\{([atsof])\}/g, (_, k: 'a' | 't' | 's' | 'o' | 'f') => vars[k] ?? '');
}

/** "A, B and C" in the export's language. */
export function joinNames(names: string[], lang: Lang): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${PHRASES[lang].and} ${names[names.length - 1]}`;
}
