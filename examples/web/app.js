// The vodflow example page: upload a video straight to the bucket through
// a presigned URL, follow its encoding from vodflow's webhook events, play
// it. No framework, no build step; hls.js (vendor/) plays HLS where the
// browser has MediaSource, the browser itself where it plays HLS natively.
//
// It talks to this site's own server only (same origin) and to the URLs it
// hands out:
//   POST /api/uploads {filename, content_type, size}: the site's server adds
//        its UPLOAD_TOKEN and asks vodflow's upload-url action; the answer
//        is upload-url's, as is (a single PUT, or a multipart upload).
//   GET  /api/events?upload_id=…&key=…: the webhook events of that upload,
//        as server-sent events, each {"event": {…}, "play": "URL"}: "play"
//        is the adaptive URL the page can reach (on NCP, the event's own
//        playback.hls; locally, the same path on the emulator's Global Edge
//        stand-in), with its signature query when playback is signed.
//   GET  /api/playback?file_id=…: the site's server asks vodflow's
//        playback-url action, with its PLAYBACK_URL_TOKEN, for the file's
//        adaptive URL signed for this viewer: {"play": "URL"}; 404 when the
//        site does not sign (the event's URL then plays).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('upload-form');
  const input = $('file');
  const button = $('upload');
  const bar = $('bar');
  const percent = $('percent');
  const statusLine = $('status');
  const errorLine = $('error');
  const steps = $('steps');
  const video = $('player');
  const playbackURL = $('playback-url');

  let events = null; // the EventSource of the upload being followed
  let hls = null; // the hls.js player, when one plays

  // state names what the page is doing, for people (the status line) and
  // for tests (body[data-state]).
  function state(name, text) {
    document.body.dataset.state = name;
    statusLine.textContent = text;
  }

  function fail(err) {
    document.body.dataset.state = 'error';
    errorLine.textContent = err.message || String(err);
    errorLine.hidden = false;
    statusLine.textContent = 'Stopped: see the error below.';
    button.disabled = false;
    if (events) events.close();
  }

  function reset() {
    errorLine.hidden = true;
    errorLine.textContent = '';
    steps.replaceChildren();
    setProgress(0, 1);
    if (events) events.close();
    if (hls) hls.destroy();
    hls = null;
    video.hidden = true;
    video.removeAttribute('src');
    video.load();
    playbackURL.textContent = '';
  }

  function setProgress(loaded, total) {
    const p = total > 0 ? Math.min(100, Math.floor((loaded * 100) / total)) : 0;
    bar.value = p;
    percent.textContent = p + '%';
  }

  function step(type, text) {
    const li = document.createElement('li');
    li.dataset.type = type;
    li.textContent = text;
    steps.append(li);
  }

  // refusal is the message of an error answer: upload-url's
  // {"error": {"message"}} or {"error": "…"}, or the status alone.
  function refusal(status, body) {
    const e = body && body.error;
    const msg = (e && (e.message || (typeof e === 'string' && e))) || (body && body.message);
    return new Error(`The upload was refused (HTTP ${status})${msg ? ': ' + msg : ''}`);
  }

  // s3Error is the Code and Message of an S3 <Error> answer.
  function s3Error(xhr) {
    const text = xhr.responseText || '';
    const code = /<Code>([^<]*)<\/Code>/.exec(text);
    const msg = /<Message>([^<]*)<\/Message>/.exec(text);
    return [code && code[1], msg && msg[1]].filter(Boolean).join(': ');
  }

  // send sends body with XMLHttpRequest (fetch cannot report upload
  // progress) and resolves with the request once answered 2xx.
  function send(method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      for (const [k, v] of Object.entries(headers || {})) xhr.setRequestHeader(k, v);
      if (onProgress) {
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded);
        };
      }
      xhr.onload = () => {
        const err = s3Error(xhr);
        if (xhr.status >= 200 && xhr.status < 300 && !/<Error>/.test(xhr.responseText || '')) resolve(xhr);
        else reject(new Error(`The bucket refused the upload (HTTP ${xhr.status})${err ? ': ' + err : ''}`));
      };
      xhr.onerror = () => reject(new Error('The upload could not reach the bucket (a network error, or the bucket\'s CORS setting does not allow this page\'s origin).'));
      xhr.send(body);
    });
  }

  async function uploadSingle(file, answer) {
    await send(answer.method || 'PUT', answer.url, answer.headers, file, (loaded) => setProgress(loaded, file.size));
  }

  async function uploadMultipart(file, mp) {
    const parts = [];
    let offset = 0;
    try {
      for (const part of mp.parts) {
        const blob = file.slice(offset, offset + part.size);
        const base = offset;
        const xhr = await send('PUT', part.url, part.headers, blob, (loaded) => setProgress(base + loaded, file.size));
        const etag = xhr.getResponseHeader('ETag');
        if (!etag) throw new Error(`Part ${part.number} was stored, but the bucket did not show its ETag: its CORS setting must expose the ETag header.`);
        parts.push({ number: part.number, etag });
        offset += part.size;
        setProgress(offset, file.size);
      }
      const xml = '<CompleteMultipartUpload>' +
        parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ETag></Part>`).join('') +
        '</CompleteMultipartUpload>';
      await send(mp.complete.method || 'POST', mp.complete.url, Object.assign({ 'Content-Type': 'application/xml' }, mp.complete.headers), xml);
    } catch (err) {
      if (mp.abort) send(mp.abort.method || 'DELETE', mp.abort.url, mp.abort.headers, null).catch(() => {});
      throw err;
    }
  }

  // follow opens the upload's event stream before the upload starts, so
  // that no event is missed.
  function follow(answer) {
    const q = new URLSearchParams({ upload_id: answer.upload_id || '', key: answer.key || '' });
    events = new EventSource('/api/events?' + q);
    let renditions = 0;
    events.onmessage = (m) => {
      const { event: ev, play: url } = JSON.parse(m.data);
      const r = ev.rendition || {};
      switch (ev.type) {
        case 'submitted':
          state('encoding', 'Uploaded. VOD Station is encoding it…');
          step(ev.type, `Submitted to VOD Station: file ${ev.file_id}`);
          break;
        case 'encoding_started':
          step(ev.type, `Encoding ${r.output_type || 'a rendition'}…`);
          break;
        case 'rendition_complete':
          renditions++;
          step(ev.type, `Rendition ${renditions} done: ${r.output_type || ''}`);
          break;
        case 'ready':
          step(ev.type, 'Playable (more renditions may follow)');
          break;
        case 'file_complete':
          step(ev.type, `Encoded: file_complete, ${(ev.renditions || []).length} renditions`);
          events.close();
          playFile(ev.file_id, url || (ev.playback && ev.playback.hls)).catch(fail);
          break;
        case 'encoding_failed':
        case 'submit_failed':
          step(ev.type, ev.type.replace('_', ' '));
          fail(new Error(`Encoding failed: ${(ev.error && ev.error.message) || ev.type}`));
          break;
        default:
          step(ev.type, ev.type);
      }
    };
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) fail(new Error('Lost the event stream of this upload: reload the page to try again.'));
    };
  }

  // withQuery appends the master URL's query (a playback signature) to u
  // when u does not carry it already: segment and variant URLs resolved
  // from a playlist lose the master's query.
  function withQuery(u, query) {
    if (!query || u.includes(query)) return u;
    return u + (u.includes('?') ? '&' : '?') + query;
  }

  // playFile asks the site for the file's playback URL signed for this
  // viewer (playback-url); a site that does not sign answers 404, and the
  // event's URL plays.
  async function playFile(fileID, eventURL) {
    const res = await fetch('/api/playback?' + new URLSearchParams({ file_id: fileID }));
    const answer = await res.json().catch(() => null);
    if (res.status === 404 && answer && answer.error && !answer.play) {
      play(eventURL);
      return;
    }
    if (!res.ok || !answer || !answer.play) {
      const e = answer && answer.error;
      throw new Error(`The site could not give a playback URL (HTTP ${res.status})${e ? ': ' + (e.message || e) : ''}`);
    }
    play(answer.play);
  }

  function play(url) {
    if (!url) {
      fail(new Error('The file is encoded, but its event has no playback URL (is a channel set for encoding-callback?).'));
      return;
    }
    const query = new URL(url, location.href).search.slice(1);
    video.hidden = false;
    playbackURL.textContent = url;
    state('playing', 'Encoded. Playing (muted: unmute with the controls).');
    button.disabled = false;
    video.muted = true; // so that it may start without a click
    if (window.Hls && window.Hls.isSupported()) {
      video.dataset.player = 'hls.js';
      hls = new window.Hls({
        xhrSetup(xhr, u) {
          xhr.open('GET', withQuery(u, query), true);
        },
      });
      hls.on(window.Hls.Events.ERROR, (_, d) => {
        if (d.fatal) fail(new Error(`Playback failed: ${d.details}${d.response && d.response.code ? ' (HTTP ' + d.response.code + ')' : ''}`));
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.dataset.player = 'native';
      video.src = url;
    } else {
      fail(new Error('This browser cannot play HLS: it has neither MediaSource (for hls.js) nor native HLS.'));
      return;
    }
    video.play().catch((err) => {
      if (err.name !== 'AbortError') statusLine.textContent = 'Encoded: press play.';
    });
  }

  video.addEventListener('error', () => {
    const e = video.error;
    if (e && video.getAttribute('src') !== null) fail(new Error(`The video could not play: ${e.message || 'media error ' + e.code}`));
  });
  video.addEventListener('playing', () => state('playing', video.muted ? 'Playing, muted: unmute with the controls.' : 'Playing.'));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = input.files[0];
    if (!file) {
      fail(new Error('Pick a video file first.'));
      input.focus();
      return;
    }
    reset();
    button.disabled = true;
    try {
      state('requesting', `Asking for an upload URL for ${file.name}…`);
      const res = await fetch('/api/uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: file.name, content_type: file.type || 'application/octet-stream', size: file.size }),
      });
      const answer = await res.json().catch(() => null);
      if (!res.ok || !answer || answer.error) throw refusal(res.status, answer);
      document.body.dataset.uploadId = answer.upload_id || '';
      follow(answer);
      state('uploading', `Uploading ${file.name} to ${answer.key}…`);
      if (answer.multipart) await uploadMultipart(file, answer.multipart);
      else await uploadSingle(file, answer);
      setProgress(file.size, file.size);
      // The bucket event may have been followed already.
      if (document.body.dataset.state === 'uploading') state('uploaded', 'Uploaded. Waiting for VOD Station…');
    } catch (err) {
      fail(err);
    }
  });
})();
