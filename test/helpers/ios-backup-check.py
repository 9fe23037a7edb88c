"""Independent decryption of an encrypted iTunes / Finder backup, for test/ios-backup.test.ts.

Uses only Python's standard library (plistlib, hashlib, sqlite3) and the `cryptography` package
(RFC 3394 key unwrap, AES-CBC) -- none of filet's code. Prints JSON: the SHA-256 of the decrypted
Manifest.db, its row count, and the SHA-256 of one decrypted file named on the command line.
Usage: ios-backup-check.py BACKUP_DIR PASSWORD DOMAIN RELATIVE_PATH
"""
import hashlib, json, os, plistlib, sqlite3, struct, sys, tempfile
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

folder, password, domain, rel = sys.argv[1:5]
manifest = plistlib.load(open(os.path.join(folder, 'Manifest.plist'), 'rb'))
kb = manifest['BackupKeyBag']
header, classes, cur, i = {}, {}, None, 0
while i < len(kb):
    tag, n = kb[i:i + 4].decode('ascii'), struct.unpack('>I', kb[i + 4:i + 8])[0]
    val = kb[i + 8:i + 8 + n]
    i += 8 + n
    if tag == 'UUID' and 'UUID' in header:
        cur = {}
    if cur is None:
        header[tag] = val
    else:
        cur[tag] = val
        if 'CLAS' in cur and 'WPKY' in cur:
            classes[struct.unpack('>I', cur['CLAS'])[0]] = cur
first = hashlib.pbkdf2_hmac('sha256', password.encode(), header['DPSL'], struct.unpack('>I', header['DPIC'])[0], 32)
pk = hashlib.pbkdf2_hmac('sha1', first, header['SALT'], struct.unpack('>I', header['ITER'])[0], 32)
keys = {c: aes_key_unwrap(pk, v['WPKY']) for c, v in classes.items() if struct.unpack('>I', v['WRAP'])[0] & 2}

def cbc(key, data):
    d = Cipher(algorithms.AES(key), modes.CBC(b'\0' * 16)).decryptor()
    return d.update(data) + d.finalize()

mk = manifest['ManifestKey']
db_key = aes_key_unwrap(keys[struct.unpack('<I', mk[:4])[0]], mk[4:])
db = cbc(db_key, open(os.path.join(folder, 'Manifest.db'), 'rb').read())
db = db[:-db[-1]]  # PKCS#7
tmp = tempfile.NamedTemporaryFile(suffix='.db', delete=False)
tmp.write(db)
tmp.close()
con = sqlite3.connect(tmp.name)
rows = con.execute('SELECT COUNT(*) FROM Files').fetchone()[0]
file_id, blob = con.execute('SELECT fileID, file FROM Files WHERE domain = ? AND relativePath = ?', (domain, rel)).fetchone()
con.close()
os.unlink(tmp.name)
arch = plistlib.loads(blob)
objs = arch['$objects']
mb = objs[arch['$top']['root'].data]
ek = objs[mb['EncryptionKey'].data]['NS.data']
fkey = aes_key_unwrap(keys[mb['ProtectionClass']], ek[4:])
plain = cbc(fkey, open(os.path.join(folder, file_id[:2], file_id), 'rb').read())[:mb['Size']]
print(json.dumps({
    'manifestDbSha256': hashlib.sha256(db).hexdigest(),
    'rows': rows,
    'fileID': file_id,
    'fileSha256': hashlib.sha256(plain).hexdigest(),
    'sqliteHeader': db[:15].decode('latin1'),
}))
