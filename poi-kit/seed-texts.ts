import type { TicketCategory } from './entities';

/** Dutch request titles per category, as libraries phrase them to their POI's functional management. */
export const TICKET_TITLES: Record<TicketCategory, string[]> = {
  RESERVATIONS: [
    'Reserveringen blijven hangen op status "in behandeling"',
    'Reserveringsbericht wordt niet verstuurd naar lener',
    'Reserveringskosten worden dubbel berekend',
    'Reservering vanuit andere vestiging komt niet aan',
    'Wachtrij reserveringen klopt niet na wijziging vestiging',
  ],
  FINES: [
    'Te laat-gelden worden berekend op sluitingsdag',
    'Boetebedrag jeugdleden wijkt af van tarieventabel',
    'Kwijtschelding boete niet zichtbaar in lenersdossier',
    'Openstaande bedragen blokkeren uitlenen onterecht',
  ],
  MEMBERSHIP: [
    'Automatische verlenging abonnement mislukt',
    'Dubbele lenersregistratie na import gemeente',
    'Abonnementsvorm jongeren wordt niet omgezet bij 18 jaar',
    'Wijziging adres lener niet doorgevoerd',
    'Lidmaatschap minima-regeling niet te selecteren',
  ],
  CATALOGUE: [
    'Titels zonder exemplaren zichtbaar in de catalogus',
    'Verkeerde plaatsingscode na centrale aanschaf',
    'Samenvoegen dubbele titelbeschrijvingen',
    'Exemplaarstatus "in bewerking" blijft staan',
  ],
  CIRCULATION: [
    'Zelfbedieningsautomaat weigert uitlening',
    'Innemen in andere vestiging geeft foutmelding',
    'Verlengen via app niet mogelijk',
    'Retourbon wordt niet geprint',
  ],
  REPORTING: [
    'Maandrapportage uitleningen ontbreekt',
    'Cijfers ledenaantallen wijken af van vorige maand',
    'Export naar Bibliotheekinzicht bevat lege kolommen',
    'Rapport collectieomloop loopt vast',
  ],
  INTERFACES: [
    'Koppeling met betaalautomaat valt weg',
    'SIP2-verbinding zelfbedieningsapparatuur verbroken',
    'Synchronisatie met landelijke catalogus faalt',
    'Koppeling website (Open Data API) geeft time-outs',
    'E-mailberichten komen niet aan (SMTP)',
  ],
};

export interface ArticleTemplate {
  /** Only the POIs it is about (e.g. the platform Midden-Zuid, which BiSC and Cubiss built); unset: every POI. */
  pois?: string[];
  title: string;
  summary: string;
  body: string;
  tags: string[];
}

/**
 * Knowledge-base articles about functional management of Wise: demo texts, written for this demo,
 * except the history of Cubiss's knowledge systems, which tells what its sources say (poi-facts).
 */
export const ARTICLE_TEMPLATES: ArticleTemplate[] = [
  {
    pois: ['CUBISS'],
    title: 'Geschiedenis: de kennissystemen eKIC (Limburg) en bnbibliotheek (Brabant)',
    summary: 'Hoe Cubiss en Bibliotheekhuis Limburg in 2010 hun kennissystemen wilden samenvoegen; geen actuele systemen.',
    body: 'Limburg en Brabant hadden elk een eigen kennissysteem: eKIC in Limburg en bnbibliotheek in Brabant. Op 23 september 2010 sloten Cubiss en Bibliotheekhuis Limburg een samenwerkingsovereenkomst en noemden daarin een gezamenlijke kennisbank als doel (https://antonia-mo.blogspot.com/2010_09_25_archive.html). Een fusie van beide organisaties was gepland per 1 oktober 2012, met het hoofdkantoor in Tilburg en een frontoffice in Limburg (http://oud.bibliotheekblad.nl/nieuws/nieuwsarchief/bericht/1000001886). Dit artikel beschrijft geschiedenis: eKIC en bnbibliotheek zijn hier geen systemen in gebruik.',
    tags: ['geschiedenis', 'kennisbank', 'eKIC', 'bnbibliotheek', 'Limburg', 'Brabant'],
  },
  {
    title: 'Reserveringen: van aanvraag tot afhaalbericht',
    summary: 'Hoe een reservering door Wise loopt en waar het mis kan gaan.',
    body: 'Een reservering doorloopt in Wise de stappen aangevraagd, in behandeling, klaar om af te halen en opgehaald. Controleer bij hangende reserveringen eerst de vestigingsinstellingen en de afhaaltermijn. Het afhaalbericht wordt per e-mail of sms verstuurd volgens het berichtenprofiel van de lener.',
    tags: ['reserveringen', 'berichten', 'afhaaltermijn'],
  },
  {
    title: 'Tarieventabel en te laat-gelden instellen',
    summary: 'Waar de tarieven voor te laat-gelden staan en hoe sluitingsdagen meetellen.',
    body: 'Te laat-gelden worden berekend per kalenderdag, tenzij de vestiging een sluitingsdag heeft ingevoerd in de openingstijdenkalender. Leg wijzigingen in de tarieventabel vast met een ingangsdatum, zodat oude uitleningen het oude tarief houden.',
    tags: ['boetes', 'tarieven', 'openingstijden'],
  },
  {
    title: 'Ledenadministratie: abonnementsvormen beheren',
    summary: 'Abonnementen aanmaken, omzetten en automatisch laten verlengen.',
    body: 'Abonnementsvormen bepalen rechten en kosten van een lener. Jeugdabonnementen worden op de achttiende verjaardag omgezet door de nachtelijke batch. Controleer na een wijziging van de abonnementsstructuur of de automatische incasso nog aansluit.',
    tags: ['leden', 'abonnementen', 'incasso'],
  },
  {
    title: 'Dubbele lenersregistraties opsporen en samenvoegen',
    summary: 'Een werkwijze om dubbele leners te vinden na een gemeentelijke import.',
    body: 'Gebruik de zoekfunctie op geboortedatum en postcode om mogelijke dubbelingen te vinden. Voeg leners samen via het lenersdossier; uitleningen, reserveringen en openstaande bedragen gaan mee naar het behouden dossier. Leg de samenvoeging vast in het logboek.',
    tags: ['leden', 'privacy', 'AVG', 'datakwaliteit'],
  },
  {
    pois: ['BISC', 'CUBISS'],
    title: 'Catalogus: titelbeschrijvingen samenvoegen',
    summary: 'Dubbele titels in de gedeelde catalogus opruimen zonder exemplaren te verliezen.',
    body: 'In de gedeelde catalogus van het platform Midden-Zuid kunnen dubbele titelbeschrijvingen ontstaan bij centrale aanschaf. Verplaats eerst alle exemplaren naar de beschrijving die blijft en verwijder daarna de lege titel. Plaatsingscodes blijven per vestiging behouden.',
    tags: ['catalogus', 'titelbeschrijving', 'Midden-Zuid'],
  },
  {
    title: 'Exemplaarstatussen en hun betekenis',
    summary: 'Overzicht van de exemplaarstatussen in Wise en wanneer ze wijzigen.',
    body: 'Een exemplaar kan beschikbaar, uitgeleend, gereserveerd, in bewerking, in transport of vermist zijn. De status in bewerking wordt automatisch opgeheven zodra het exemplaar wordt ingenomen aan de balie of bij de zelfbedieningsautomaat.',
    tags: ['catalogus', 'exemplaren', 'uitlening'],
  },
  {
    title: 'Zelfbedieningsautomaten koppelen via SIP2',
    summary: 'Instellingen en storingsanalyse voor SIP2-koppelingen.',
    body: 'Zelfbedieningsapparatuur communiceert met Wise via SIP2. Bij storingen controleer je het SIP2-account, de IP-whitelist en de vestigingscode van de automaat. Een verbroken verbinding herstelt zich meestal na het herstarten van de SIP2-dienst.',
    tags: ['koppelingen', 'SIP2', 'zelfbediening'],
  },
  {
    title: 'Rapportages en managementinformatie',
    summary: 'Standaardrapporten, maandcijfers en de export naar Bibliotheekinzicht.',
    body: 'De maandrapportages over uitleningen, leden en bezoek worden in de eerste week van de maand aangemaakt. Voor de landelijke cijfers exporteer je de kerngegevens naar Bibliotheekinzicht. Controleer vooraf of alle vestigingen de juiste rapportagegroep hebben.',
    tags: ['rapportage', 'managementinformatie', 'Bibliotheekinzicht'],
  },
  {
    title: 'Interbibliothecair leenverkeer (IBL) aanvragen',
    summary: 'Hoe IBL-aanvragen lopen tussen bibliotheken en de transportdienst.',
    body: 'IBL-aanvragen worden in Wise aangemaakt en via de landelijke voorziening doorgezet. De POI verzorgt het transport van materialen tussen bibliotheken. Een aanvraag die na tien werkdagen niet is geleverd, wordt automatisch gesignaleerd.',
    tags: ['IBL', 'logistiek', 'transport'],
  },
  {
    title: 'Berichtenprofielen: e-mail en sms',
    summary: 'Berichten aan leners instellen en afleverproblemen oplossen.',
    body: 'Berichtenprofielen bepalen welke berichten een lener krijgt: herinneringen, afhaalberichten en aanmaningen. Als e-mails niet aankomen, controleer dan de SMTP-instellingen en de SPF-record van het afzenderdomein.',
    tags: ['berichten', 'e-mail', 'koppelingen'],
  },
  {
    title: 'Open Data API voor de bibliotheekwebsite',
    summary: 'De koppeling tussen Wise en de website van de bibliotheek.',
    body: 'De website toont catalogus, beschikbaarheid en het lenersaccount via de Open Data API. Time-outs ontstaan meestal door te grote zoekopdrachten; beperk het aantal resultaten per pagina en gebruik caching aan de kant van de website.',
    tags: ['koppelingen', 'website', 'API'],
  },
  {
    title: 'Openingstijden en sluitingsdagen beheren',
    summary: 'De kalender die uitleentermijnen, boetes en afhaaltermijnen bepaalt.',
    body: 'Leg feestdagen en extra sluitingsdagen ruim vooraf vast in de openingstijdenkalender. Uitleentermijnen die op een sluitingsdag eindigen, schuiven automatisch door naar de eerstvolgende openingsdag.',
    tags: ['openingstijden', 'uitlening', 'boetes'],
  },
  {
    title: 'Privacy: bewaartermijnen van leengeschiedenis',
    summary: 'Instellingen voor het bewaren en anonimiseren van leengegevens (AVG).',
    body: 'De leengeschiedenis wordt standaard na afloop van de uitlening geanonimiseerd, tenzij de lener toestemming heeft gegeven om die te bewaren. De bewaartermijn voor financiële gegevens volgt de fiscale termijn van zeven jaar.',
    tags: ['privacy', 'AVG', 'leden'],
  },
  {
    title: 'Collectie verplaatsen tussen vestigingen',
    summary: 'Exemplaren overboeken naar een andere vestiging of plaatsing.',
    body: 'Gebruik de functie overboeken om exemplaren in bulk naar een andere vestiging te verplaatsen. Reserveringen op de verplaatste exemplaren blijven staan; de afhaalvestiging verandert niet.',
    tags: ['catalogus', 'collectie', 'vestigingen'],
  },
];

/** The seeded articles' source: named as demo, since the sources name no POI's current knowledge system. */
export function demoKnowledgeSource(poi: { name: string }): string {
  return `Demo kennisbank ${poi.name}`;
}

/** Requests that feed into an item of the collaboration's work agenda, by title. */
export const AGENDA_ITEM_BY_TITLE: Record<string, string> = {
  'Koppeling met betaalautomaat valt weg': 'WA-2025-01',
  'Koppeling website (Open Data API) geeft time-outs': 'WA-2026-01',
  'Export naar Bibliotheekinzicht bevat lege kolommen': 'WA-2025-03',
  'Dubbele lenersregistratie na import gemeente': 'WA-2025-06',
  'Samenvoegen dubbele titelbeschrijvingen': 'WA-2024-03',
};
