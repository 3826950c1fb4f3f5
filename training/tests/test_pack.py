"""A pack converted by the TypeScript converter loads back into PyTorch with the same outputs."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from training.drit.pack import load_pack
from fixtures.generate import read_io

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which('npm') is None, reason='needs npm to run the converter')
@pytest.mark.parametrize('fixture', ['c0', 'c1', 'c1_oldln', 'c0_leaky'])
def test_converted_pack_reproduces_fixture(tmp_path, fixture):
    out = tmp_path / 'pack'
    ckpt = min((REPO / 'fixtures' / fixture).glob('checkpoint_*.pth'))  # legacy where there is one
    subprocess.run(['npm', 'run', '-s', 'convert', '--', str(ckpt), str(out), '--dtype', 'float32'],
                   cwd=REPO, check=True, capture_output=True)
    _, enc_c, enc_a, gen = load_pack(out)
    config, arrays = read_io(REPO / 'fixtures' / fixture)
    with torch.no_grad():
        content = enc_c.forward_a(torch.from_numpy(arrays['input_a'].copy()))
        fake = gen.forward_b(content.repeat(3, 1, 1, 1), torch.from_numpy(arrays['z'].copy()))
        attr = enc_a.forward_b(torch.from_numpy(arrays['input_b'].copy()))
    np.testing.assert_allclose(content.numpy(), arrays['content_a'], rtol=0, atol=1e-5)
    np.testing.assert_allclose(fake.numpy(), arrays['fake_b'], rtol=0, atol=1e-5)
    attr_ref = arrays['attr_b'] if config['concat'] == 0 else arrays['mu_b']
    np.testing.assert_allclose((attr if config['concat'] == 0 else attr[0]).numpy(), attr_ref, rtol=0, atol=1e-5)
